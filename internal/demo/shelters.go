package demo

import (
	"context"
	"fmt"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/shelters"
	"lindu/internal/store"
)

// ShelterResult counts what LoadShelters wrote.
type ShelterResult struct {
	Places, Stays int
}

// LoadShelters registers Bengkayang's demo safe places — community safe
// houses verified through the checklist (one suspended, one still a
// proposal), a government shelter and two LKSA (one permit ending soon) —
// and children of open demo cases staying in them: one past its 14-day
// limit, one moved from a house to an LKSA, one who went home to
// relatives. Hosts are synthetic. Call it after LoadCases.
func LoadShelters(ctx context.Context, st *store.Store) (ShelterResult, error) {
	var res ShelterResult
	now := time.Now().UTC().Truncate(time.Minute)
	clk := &clock{t: now.AddDate(0, 0, -90)}
	hst := st.WithClock(clk.now)
	area := cases.New(hst, cases.Options{})
	sh := shelters.New(hst, area)
	sys := access.System("demo")
	_, villages, err := demoRegions(ctx, st)
	if err != nil || len(villages) < 6 {
		return res, fmt.Errorf("demo: villages for safe houses: %v", err)
	}
	type house struct {
		name, host, phone, household string
		village                      domain.Region
		capacity                     int
		final                        string
	}
	houses := []house{
		{"Rumah Aman Desa 1", "Ibu Maria (demo)", "+6281277001001", "Bapak Yohanes (demo)", villages[0], 2, domain.PlaceActive},
		{"Rumah Aman Desa 2", "Ibu Sari (demo)", "+6281277001002", "Bapak Anton (demo)\nNenek Rosa (demo)", villages[2], 2, domain.PlaceActive},
		{"Rumah Aman Desa 3", "Bapak Markus (demo)", "+6281277001003", "Ibu Lusia (demo)", villages[4], 1, domain.PlaceActive},
		{"Rumah Aman Desa 4", "Ibu Tina (demo)", "+6281277001004", "", villages[5], 2, domain.PlaceSuspended},
		{"Rumah Aman Desa 5", "Ibu Ani (demo)", "+6281277001005", "Bapak Edo (demo)", villages[1], 1, domain.PlaceProposal},
	}
	var pass []domain.CheckResult
	for _, it := range shelters.DefaultChecklist {
		pass = append(pass, domain.CheckResult{Item: it.Key, Result: domain.CheckPass, Note: "diperiksa saat kunjungan (demo)"})
	}
	var ids []string
	for _, h := range houses {
		p, err := sh.CreatePlace(ctx, sys, domain.NewPlace{Kind: domain.PlaceSafeHouse, Name: h.name, RegionCode: h.village.Code,
			Owner: domain.OwnerCommunity, Capacity: h.capacity, HostName: h.host, HostPhone: h.phone, Address: "RT 01, " + h.village.Name + " (demo)",
			Household: h.household})
		if err != nil {
			return res, err
		}
		res.Places++
		ids = append(ids, p.ID)
		if h.final == domain.PlaceProposal {
			continue
		}
		clk.set(clk.now().Add(time.Hour))
		if _, err := sh.RecordChecks(ctx, sys, p.ID, pass); err != nil {
			return res, err
		}
		for _, to := range []string{domain.PlaceVerified, domain.PlaceActive} {
			if err := sh.MovePlace(ctx, sys, p.ID, to, "Hasil kunjungan verifikasi (demo)", 0); err != nil {
				return res, err
			}
		}
		if h.final == domain.PlaceSuspended {
			if err := sh.MovePlace(ctx, sys, p.ID, domain.PlaceSuspended, "Tuan rumah sedang merawat keluarga yang sakit (demo)", 0); err != nil {
				return res, err
			}
		}
	}
	shelter, err := sh.CreatePlace(ctx, sys, domain.NewPlace{Kind: domain.PlaceShelter, Name: "Rumah Aman UPTD PPA Bengkayang", RegionCode: Region,
		Owner: domain.OwnerGovernment, Capacity: 6, Address: "Kompleks kantor UPTD PPA (demo)"})
	if err != nil {
		return res, err
	}
	lksa, err := sh.CreatePlace(ctx, sys, domain.NewPlace{Kind: domain.PlaceLKSA, Name: "LKSA Kasih Bunda (demo)", RegionCode: villages[3].Code,
		Owner: domain.OwnerCommunity, Capacity: 40, PermitNumber: "503/041/DINSOS/2021", PermitExpires: now.AddDate(0, 0, 45).Format("2006-01-02"),
		Accreditation: "B", AccreditationUntil: now.AddDate(1, 6, 0).Format("2006-01-02")})
	if err != nil {
		return res, err
	}
	if _, err := sh.CreatePlace(ctx, sys, domain.NewPlace{Kind: domain.PlaceLKSA, Name: "Panti Asuhan Harapan (demo)", RegionCode: Region,
		Owner: domain.OwnerGovernment, Capacity: 100, PermitNumber: "503/007/DINSOS/2024", PermitExpires: now.AddDate(3, 0, 0).Format("2006-01-02"),
		Accreditation: "A", AccreditationUntil: now.AddDate(4, 0, 0).Format("2006-01-02")}); err != nil {
		return res, err
	}
	res.Places += 3
	// Children of open demo cases.
	open, _, err := area.ListCases(ctx, sys, domain.CaseFilter{OpenOnly: true, Limit: 40})
	if err != nil {
		return res, err
	}
	var kids []struct{ caseID, victimID string }
	for _, c := range open {
		full, err := area.GetCase(ctx, sys, c.ID)
		if err != nil {
			return res, err
		}
		if len(full.Victims) > 0 {
			kids = append(kids, struct{ caseID, victimID string }{c.ID, full.Victims[0].ID})
		}
		if len(kids) == 5 {
			break
		}
	}
	if len(kids) < 5 {
		return res, nil
	}
	at := func(daysAgo int) { clk.set(now.AddDate(0, 0, -daysAgo)) }
	place := func(i int, placeID, reason, gate string) (domain.Stay, error) {
		res.Stays++
		return sh.PlaceChild(ctx, sys, domain.NewStay{PlaceID: placeID, CaseID: kids[i].caseID, VictimID: kids[i].victimID, Reason: reason,
			Gatekeeping: gate, Emergency: true})
	}
	// Went home to relatives after ten days.
	at(40)
	s0, err := place(0, ids[2], "Pelaku tinggal serumah; anak perlu tempat aman sementara (demo)", "")
	if err != nil {
		return res, err
	}
	at(30)
	if err := sh.EndStay(ctx, sys, s0.ID, "Nenek siap mengasuh (demo)", "kin"); err != nil {
		return res, err
	}
	if _, err := sh.IncentiveForStay(ctx, sys, s0.ID, 50000, clk.now().Format("2006-01-02")); err != nil {
		return res, err
	}
	// Past the 14-day limit.
	at(16)
	if _, err := place(1, ids[0], "Anak diancam keluarga pelaku (demo)", ""); err != nil {
		return res, err
	}
	// Moved from a house to the LKSA.
	at(35)
	s2, err := place(2, ids[1], "Tidak ada kerabat di desa (demo)", "")
	if err != nil {
		return res, err
	}
	at(25)
	if _, err := sh.MoveChild(ctx, sys, s2.ID, lksa.ID, "Perlu pengasuhan jangka panjang (demo)",
		"Kerabat di luar daerah menolak; calon keluarga asuh belum tersedia (demo)"); err != nil {
		return res, err
	}
	res.Stays++
	// Staying now.
	at(3)
	if _, err := place(3, ids[1], "Menunggu pemeriksaan polisi (demo)", ""); err != nil {
		return res, err
	}
	at(1)
	if _, err := place(4, shelter.ID, "Korban kekerasan seksual, perlu pendampingan (demo)", ""); err != nil {
		return res, err
	}
	// Trainings, a food parcel and supervision visits (one overdue).
	for i, id := range ids[:3] {
		if _, err := sh.AddTraining(ctx, sys, id, "Pertolongan pertama psikologis bagi anak (demo)", now.AddDate(0, -2, 0).Format("2006-01-02")); err != nil {
			return res, err
		}
		if _, err := sh.AddIncentive(ctx, sys, domain.Incentive{PlaceID: id, Kind: domain.IncentiveGoods, Amount: 150000,
			GivenOn: now.AddDate(0, 0, -20).Format("2006-01-02"), Basis: "Sembako bulanan (demo)"}); err != nil {
			return res, err
		}
		next := now.AddDate(0, 1, 0)
		if i == 2 {
			next = now.AddDate(0, 0, -3) // overdue
		}
		if _, err := sh.AddVisit(ctx, sys, domain.SupervisionVisit{PlaceID: id, VisitedOn: now.AddDate(0, -1, 0).Format("2006-01-02"),
			Findings: "Kamar anak bersih; tuan rumah memahami kerahasiaan (demo)", NextDue: next.Format("2006-01-02")}); err != nil {
			return res, err
		}
	}
	return res, nil
}
