package demo

import (
	"context"
	"fmt"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/musrenbang"
	"lindu/internal/store"
)

// MusrenbangResult counts what LoadMusrenbang wrote.
type MusrenbangResult struct {
	Children, Proposals, Tickets int
	Codes                        map[string]string // nickname → login code, for the demo children
}

// LoadMusrenbang writes the Bengkayang children's forum of the Musrenbang
// Anak: the demo facilitator's forum, six children (synthetic nicknames),
// proposals in every state — waiting with personal data to remove,
// public with supports, turned down with a reason, two merged into one —
// and golden tickets at every stage, two of them funded in next year's
// APBD. The planner account ("perencana") is bound to the planning
// agency. Call it after LoadKLA (the agencies). It returns what it wrote.
func LoadMusrenbang(ctx context.Context, st *store.Store) (MusrenbangResult, error) {
	res := MusrenbangResult{Codes: map[string]string{}}
	now := time.Now().UTC()
	year := now.Year()
	// The proposals were made last year, for last year's Musrenbang.
	clk := &clock{t: time.Date(year-1, 2, 1, 2, 0, 0, 0, time.UTC)}
	hst := st.WithClock(clk.now)
	mr := musrenbang.New(hst)
	sys := access.System("demo")
	var fas domain.User
	for _, role := range []domain.Role{domain.RoleFacilitator, domain.RoleOPDOperator} {
		users, _, err := st.ListUsers(ctx, sys, domain.UserFilter{Role: role, Limit: 50})
		if err != nil {
			return res, err
		}
		for _, u := range users {
			switch u.Username {
			case "fasilitator":
				fas = u
			case "perencana":
				if err := kla.SetUserAgency(ctx, st, sys, u.ID, "bappeda"); err != nil {
					return res, err
				}
			}
		}
	}
	if fas.ID == "" {
		return res, fmt.Errorf("demo musrenbang: no facilitator account")
	}
	forum, err := mr.CreateForum(ctx, access.ForUser(fas, "", "demo"), "Forum Anak Kabupaten Bengkayang (demo)", Region)
	if err != nil {
		return res, err
	}
	villages, err := mr.Villages(ctx, Region)
	if err != nil || len(villages) < 6 {
		return res, fmt.Errorf("demo musrenbang: villages: %v", err)
	}
	kids := map[string]musrenbang.Child{}
	for i, k := range []struct{ nick, age, phone string }{
		{"Ayu", "13-15", ""}, {"Bima", "10-12", "+6281200009101"}, {"Citra", "16-17", ""}, {"Dani", "13-15", ""},
		{"Eli", "10-12", "+6281200009102"}, {"Fajar", "16-17", ""},
	} {
		c, code, err := mr.RegisterChild(ctx, sys, musrenbang.NewChild{ForumID: forum.ID, Nickname: k.nick, AgeGroup: k.age,
			VillageCode: villages[i*len(villages)/6].Code, ConsentBy: "orang tua", Phone: k.phone})
		if err != nil {
			return res, err
		}
		kids[k.nick], res.Codes[k.nick] = c, code
		res.Children++
	}
	submit := func(nick, title, body, cluster string) (musrenbang.Proposal, error) {
		c := kids[nick]
		clk.set(clk.now().Add(36 * time.Hour))
		p, err := mr.Submit(ctx, &c, musrenbang.NewProposal{Title: title, Body: body, Cluster: cluster})
		if err == nil {
			res.Proposals++
		}
		return p, err
	}
	approve := func(p musrenbang.Proposal, supporters ...string) error {
		clk.set(clk.now().Add(24 * time.Hour))
		if err := mr.Approve(ctx, sys, p.ID); err != nil {
			return err
		}
		for _, s := range supporters {
			if _, err := mr.Support(ctx, kids[s].ID, p.ID, "web"); err != nil {
				return err
			}
		}
		return nil
	}
	type prop struct {
		nick, title, body, cluster string
		supporters                 []string
	}
	var approved []musrenbang.Proposal
	for _, x := range []prop{
		{"Ayu", "Taman bermain yang aman di dekat balai desa", "Ayunan di taman desa sudah rusak dan lantainya keras. Kami ingin taman bermain dengan alas lembut.", "IV", []string{"Bima", "Citra", "Dani", "Eli"}},
		{"Bima", "Lampu jalan ke sekolah", "Jalan ke sekolah gelap waktu subuh dan sore. Kami takut lewat sana.", "V", []string{"Ayu", "Fajar", "Eli"}},
		{"Citra", "Ruang baca anak di kantor desa", "Kami ingin ruang baca dengan buku cerita dan buku pelajaran.", "IV", []string{"Ayu", "Dani"}},
		{"Dani", "Posyandu remaja setiap bulan", "Remaja perlu tempat bertanya soal kesehatan tanpa malu.", "III", []string{"Citra", "Fajar"}},
		{"Eli", "Akta kelahiran gratis untuk semua anak", "Masih ada teman yang belum punya akta kelahiran.", "I", []string{"Bima"}},
		{"Fajar", "Lapangan voli untuk anak dan remaja", "Kami ingin lapangan voli yang boleh dipakai anak-anak sore hari.", "IV", []string{"Ayu", "Bima"}},
	} {
		p, err := submit(x.nick, x.title, x.body, x.cluster)
		if err != nil {
			return res, err
		}
		if err := approve(p, x.supporters...); err != nil {
			return res, err
		}
		approved = append(approved, p)
	}
	// Two about rubbish, merged into one (both authors credited).
	a, err := submit("Ayu", "Tempat sampah di taman", "Taman kotor karena tidak ada tempat sampah.", "III")
	if err != nil {
		return res, err
	}
	b, err := submit("Eli", "Tong sampah terpilah", "Kami ingin tong sampah organik dan plastik di taman.", "III")
	if err != nil {
		return res, err
	}
	if err := approve(a, "Bima", "Citra"); err != nil {
		return res, err
	}
	if err := approve(b, "Citra", "Dani"); err != nil {
		return res, err
	}
	if _, err := mr.Merge(ctx, sys, []string{a.ID, b.ID}, "Tempat sampah terpilah di taman desa",
		"Taman desa perlu tempat sampah organik dan plastik supaya bersih."); err != nil {
		return res, err
	}
	// Turned down with a reason; one waiting with personal data in it.
	r, err := submit("Citra", "Kolam renang di setiap desa", "Kami ingin kolam renang besar di setiap desa.", "IV")
	if err != nil {
		return res, err
	}
	if err := mr.Reject(ctx, sys, r.ID, "Biayanya terlalu besar untuk tahun ini; usulan taman bermain lebih dulu."); err != nil {
		return res, err
	}
	if _, err := submit("Dani", "Perbaiki jembatan ke sekolah", "Jembatan kayu ke sekolah goyang. Hubungi saya 0812-0000-1234, nama saya Dani Pratama dari SMPN 2 Bengkayang.", "V"); err != nil {
		return res, err
	}
	// Golden tickets of last year's Musrenbang: two funded in this year's
	// APBD (one already being done), one not in the RKPD, one postponed;
	// and one of this year's, still undecided.
	last := year - 1
	planner := sys
	ticket := func(p musrenbang.Proposal, y int, steps ...musrenbang.StepInput) error {
		clk.set(clk.now().Add(48 * time.Hour))
		t, err := mr.SelectTicket(ctx, planner, p.ID, y)
		if err != nil {
			return err
		}
		res.Tickets++
		for _, in := range steps {
			clk.set(clk.now().Add(72 * time.Hour))
			if err := mr.RecordStep(ctx, planner, t.ID, in, 0); err != nil {
				return err
			}
		}
		return nil
	}
	discussed := musrenbang.StepInput{Stage: musrenbang.StageDiscussed, Level: "kabupaten", Date: fmt.Sprintf("%d-04-15", last)}
	rkpd := func(agency, sub string) musrenbang.StepInput {
		return musrenbang.StepInput{Stage: musrenbang.StageRKPD, Year: year, Agency: agency, SubActivity: sub}
	}
	if err := ticket(approved[0], last, discussed, rkpd("DPUPR", "Pembangunan Ruang Terbuka Hijau dan taman bermain"),
		musrenbang.StepInput{Stage: musrenbang.StageAPBD, Year: year, Lines: []musrenbang.Line{{Code: "1.03.10.2.01.0013", Name: "Taman bermain ramah anak (demo)", Amount: 185_000_000}}},
		musrenbang.StepInput{Stage: musrenbang.StageImplemented, Evidence: "SPK 027/DPUPR/demo", Lines: []musrenbang.Line{{Code: "1.03.10.2.01.0013", Realised: 92_500_000}}}); err != nil {
		return res, err
	}
	if err := ticket(approved[1], last, discussed, rkpd("Dishub", "Penerangan jalan umum"),
		musrenbang.StepInput{Stage: musrenbang.StageAPBD, Year: year, Lines: []musrenbang.Line{{Code: "2.15.02.2.01.0004", Name: "Lampu jalan menuju sekolah (demo)", Amount: 96_000_000}}}); err != nil {
		return res, err
	}
	if err := ticket(approved[4], last, discussed, musrenbang.StepInput{Stage: musrenbang.StageNotRKPD, Reason: "Sudah dilayani Disdukcapil lewat jemput bola tahun ini."}); err != nil {
		return res, err
	}
	if err := ticket(approved[3], last, discussed, musrenbang.StepInput{Stage: musrenbang.StagePostponed, Reason: "Menunggu tenaga kesehatan remaja di puskesmas."}); err != nil {
		return res, err
	}
	if err := ticket(approved[2], year); err != nil {
		return res, err
	}
	return res, nil
}
