package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// KLAResult counts what LoadKLA wrote.
type KLAResult struct {
	Values, Verified, Agreements, BudgetLines int
}

// DemoOperatorAgency is the agency of the demo "operator" account.
const DemoOperatorAgency = "dinkes"

// LoadKLA adds three years (year-2 .. year) of synthetic KLA values for
// Bengkayang, its districts and (for two indicators) its villages, the
// task force's verification of the older years, performance agreements
// with realisations and programme budgets. The figures are invented, and
// improve a little each year; a few indicators are left empty in the
// latest year so the dashboard shows missing and stale data.
func LoadKLA(ctx context.Context, st *store.Store, year int) (KLAResult, error) {
	var res KLAResult
	if _, err := kla.EnsureShipped(ctx, st); err != nil {
		return res, err
	}
	sc := access.System("demo")
	if err := klaAgencies(ctx, st, sc); err != nil {
		return res, err
	}
	g, err := kla.RegimeFor(ctx, st, year)
	if err != nil {
		return res, err
	}
	inds, err := kla.Indicators(ctx, st, g.ID)
	if err != nil {
		return res, err
	}
	districts, villages, err := demoRegions(ctx, st)
	if err != nil {
		return res, err
	}
	fig := klaFigures{rng: rand.New(rand.NewPCG(61, 7))}
	for step := 0; step < 3; step++ {
		y := year - 2 + step
		in := fig.yearValues(inds, districts, villages, step, y)
		if err := kla.PutValues(ctx, st, sc, g.ID, in); err != nil {
			return res, fmt.Errorf("demo kla values %d: %w", y, err)
		}
		res.Values += len(in)
		if step < 2 {
			n, err := klaVerify(ctx, st, sc, g.ID, inds, in, y)
			res.Verified += n
			if err != nil {
				return res, err
			}
		}
	}
	if res.Agreements, err = klaAgreements(ctx, st, sc, year); err != nil {
		return res, err
	}
	if res.BudgetLines, err = klaBudgets(ctx, st, sc, year); err != nil {
		return res, err
	}
	return res, nil
}

// klaAgencies adds two non-government agencies and makes the demo
// "operator" account enter data for DemoOperatorAgency.
func klaAgencies(ctx context.Context, st *store.Store, sc domain.Scope) error {
	if err := kla.UpsertAgencies(ctx, st, sc, []domain.KLAAgency{
		{Code: "forum_csr", Name: "Forum CSR Kabupaten Bengkayang (demo)", Kind: "business"},
		{Code: "media_lokal", Name: "Radio Komunitas Bengkayang (demo)", Kind: "media"},
	}); err != nil {
		return err
	}
	users, _, err := st.ListUsers(ctx, sc, domain.UserFilter{Role: domain.RoleOPDOperator, Limit: 50})
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Username == "operator" {
			if err := kla.SetUserAgency(ctx, st, sc, u.ID, DemoOperatorAgency); err != nil {
				return err
			}
		}
	}
	return nil
}

// klaFigures invents KLA values from a seeded source: the same figures on
// every load.
type klaFigures struct{ rng *rand.Rand }

// klaSkipLatest are the indicators left empty in the latest year (missing,
// stale from last year).
func klaSkipLatest(id string) bool { return id == "10" || id == "19" || id == "K7" }

// value invents ind's value in year step 0, 1 or 2 (better each year);
// noise widens the spread (districts and villages vary more).
func (f klaFigures) value(ind domain.KLAIndicator, step int, noise float64) float64 {
	rng := f.rng
	better := float64(step) // 0, 1, 2: improves each year
	switch ind.Unit {
	case domain.UnitAvailability:
		if rng.Float64() < 0.55+0.15*better {
			return 1
		}
		return 0
	case domain.UnitCount:
		return math.Round(2 + 2*better + rng.Float64()*5*noise)
	case domain.UnitRate:
		return math.Round((24-3*better+rng.Float64()*6*noise)*10) / 10
	}
	if ind.Polarity == domain.Lower {
		return math.Round((18-3*better+rng.Float64()*6*noise)*10) / 10
	}
	return math.Round(math.Min(100, 52+8*better+rng.Float64()*25*noise)*10) / 10
}

// yearValues invents year y's values (step 0, 1, 2): every indicator for
// the regency, percentages and rates per district, indicators 1 and 11
// per village.
func (f klaFigures) yearValues(inds []domain.KLAIndicator, districts, villages []domain.Region, step, y int) []domain.KLAValueInput {
	var in []domain.KLAValueInput
	for _, ind := range inds {
		if step == 2 && klaSkipLatest(ind.ID) {
			continue
		}
		in = append(in, domain.KLAValueInput{IndicatorID: ind.ID, RegionCode: Region, Year: y, Value: f.value(ind, step, 1),
			Note: "Data " + strconv.Itoa(y) + " (demo)", Link: "https://example.org/kla/" + ind.ID})
		if ind.Unit == domain.UnitPercent || ind.Unit == domain.UnitRate {
			for _, d := range districts {
				in = append(in, domain.KLAValueInput{IndicatorID: ind.ID, RegionCode: d.Code, Year: y, Value: f.value(ind, step, 1.6)})
			}
		}
	}
	for _, v := range villages {
		for _, id := range []string{"1", "11"} {
			for _, ind := range inds {
				if ind.ID == id {
					in = append(in, domain.KLAValueInput{IndicatorID: id, RegionCode: v.Code, Year: y, Value: f.value(ind, step, 1.8)})
				}
			}
		}
	}
	return in
}

// klaVerify has the task force verify the regency's values of year y
// (in): three indicators in four, some cut for weak evidence. It returns
// how many it verified.
func klaVerify(ctx context.Context, st *store.Store, sc domain.Scope, regime string, inds []domain.KLAIndicator,
	in []domain.KLAValueInput, y int) (int, error) {
	n := 0
	for i, ind := range inds {
		if i%4 == 3 {
			continue
		}
		var v *float64
		if i%5 == 0 && ind.Unit != domain.UnitAvailability {
			for _, x := range in {
				if x.IndicatorID == ind.ID && x.RegionCode == Region {
					cut := math.Round(x.Value*0.8*10) / 10
					if ind.Unit == domain.UnitCount {
						cut = math.Floor(x.Value * 0.8)
					}
					v = &cut
				}
			}
		}
		if err := kla.VerifyValue(ctx, st, sc, regime, Region, y, ind.ID, true, v, "Diverifikasi gugus tugas (demo)"); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// klaAgreements adds the performance agreements of four agencies for year,
// with a first-semester realisation of each commitment, and returns how
// many it added.
func klaAgreements(ctx context.Context, st *store.Store, sc domain.Scope, year int) (int, error) {
	start, end := fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)
	agreements := []domain.KLAAgreement{
		{Agency: "dinkes", Title: "Perjanjian Kinerja KLA Dinas Kesehatan " + strconv.Itoa(year), Commitments: []domain.KLACommitment{
			{Name: "Cakupan imunisasi dasar lengkap", Unit: "%", Polarity: domain.Higher, Target: 95},
			{Name: "Angka kematian bayi", Unit: "per 1.000", Polarity: domain.Lower, Target: 15},
			{Name: "Puskesmas ramah anak", Unit: "puskesmas", Polarity: domain.Higher, Target: 10},
		}},
		{Agency: "disdik", Title: "Perjanjian Kinerja KLA Dinas Pendidikan " + strconv.Itoa(year), Commitments: []domain.KLACommitment{
			{Name: "Sekolah ramah anak baru", Unit: "sekolah", Polarity: domain.Higher, Target: 20},
			{Name: "Angka putus sekolah SMP", Unit: "%", Polarity: domain.Lower, Target: 2},
		}},
		{Agency: "forum_csr", Title: "Komitmen Forum CSR untuk KLA " + strconv.Itoa(year), Commitments: []domain.KLACommitment{
			{Name: "Ruang bermain ramah anak dibangun", Unit: "unit", Polarity: domain.Higher, Target: 6},
		}},
		{Agency: "media_lokal", Title: "Komitmen media untuk KLA " + strconv.Itoa(year), Commitments: []domain.KLACommitment{
			{Name: "Siaran informasi layak anak", Unit: "jam/bulan", Polarity: domain.Higher, Target: 8},
		}},
	}
	n := 0
	real := [][]float64{{88, 17, 4}, {15, 2.6}, {2}, {8}}
	for i, a := range agreements {
		a.RegionCode, a.Year, a.SignedOn = Region, year, fmt.Sprintf("%d-01-15", year)
		for j := range a.Commitments {
			a.Commitments[j].PeriodStart, a.Commitments[j].PeriodEnd = start, end
		}
		id, err := kla.CreateAgreement(ctx, st, sc, a)
		if err != nil {
			return n, err
		}
		n++
		list, err := kla.ListAgreements(ctx, st, sc, Region, year, a.Agency)
		if err != nil {
			return n, err
		}
		for _, got := range list {
			if got.ID != id {
				continue
			}
			for j, c := range got.Commitments {
				if err := kla.AddRealisation(ctx, st, sc, c.ID, domain.KLARealisation{OnDate: fmt.Sprintf("%d-06-30", year),
					Value: real[i][j], Note: "Laporan semester I (demo)"}); err != nil {
					return n, err
				}
			}
		}
	}
	return n, nil
}

// klaBudgets adds three programmes of year with their activities and
// sub-activities (budget and realisation in whole rupiah) and returns how
// many lines it added.
func klaBudgets(ctx context.Context, st *store.Store, sc domain.Scope, year int) (int, error) {
	type sub struct {
		code, name     string
		budget, actual int64
	}
	type act struct {
		code, name string
		subs       []sub
	}
	budgets := []struct {
		agency, code, name string
		acts               []act
	}{
		{"dp3a", "2.08.03", "Program Perlindungan Khusus Anak", []act{
			{"2.08.03.2.01", "Pencegahan kekerasan terhadap anak", []sub{
				{"2.08.03.2.01.01", "Sosialisasi pencegahan kekerasan di desa", 180_000_000, 96_500_000},
				{"2.08.03.2.01.02", "Penguatan satgas PPA desa", 240_000_000, 131_000_000}}},
			{"2.08.03.2.02", "Penyediaan layanan bagi anak korban kekerasan", []sub{
				{"2.08.03.2.02.01", "Layanan pendampingan korban UPTD PPA", 320_000_000, 150_250_000}}},
		}},
		{"dp3a", "2.08.05", "Program Pemenuhan Hak Anak", []act{
			{"2.08.05.2.01", "Pelembagaan pemenuhan hak anak", []sub{
				{"2.08.05.2.01.01", "Fasilitasi Forum Anak", 95_000_000, 61_000_000},
				{"2.08.05.2.01.02", "Evaluasi mandiri KLA", 75_000_000, 70_500_000}}},
		}},
		{"dinkes", "1.02.02", "Program Pemenuhan Upaya Kesehatan", []act{
			{"1.02.02.2.02", "Penyediaan layanan kesehatan anak", []sub{
				{"1.02.02.2.02.01", "Imunisasi dasar lengkap", 410_000_000, 205_000_000},
				{"1.02.02.2.02.02", "Puskesmas ramah anak", 150_000_000, 42_000_000}}},
		}},
	}
	n := 0
	for _, p := range budgets {
		pid, err := kla.AddBudgetItem(ctx, st, sc, domain.KLABudgetItem{RegionCode: Region, Year: year, Agency: p.agency,
			Level: domain.BudgetProgramme, Code: p.code, Name: p.name})
		if err != nil {
			return n, err
		}
		n++
		for _, a := range p.acts {
			aid, err := kla.AddBudgetItem(ctx, st, sc, domain.KLABudgetItem{RegionCode: Region, Year: year, Agency: p.agency,
				ParentID: pid, Level: domain.BudgetActivity, Code: a.code, Name: a.name})
			if err != nil {
				return n, err
			}
			n++
			for _, s := range a.subs {
				if _, err := kla.AddBudgetItem(ctx, st, sc, domain.KLABudgetItem{RegionCode: Region, Year: year, Agency: p.agency,
					ParentID: aid, Level: domain.BudgetSubActivity, Code: s.code, Name: s.name, Budget: s.budget, Realised: s.actual}); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	return n, nil
}
