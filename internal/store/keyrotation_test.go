package store_test

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/audits"
	"lindu/internal/cases"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/kla"
	"lindu/internal/media/mediatest"
	"lindu/internal/musrenbang"
	"lindu/internal/secret"
	"lindu/internal/shelters"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// area is the case area on st with default options.
func area(st *store.Store) *cases.Service { return cases.New(st, cases.Options{}) }

// sms is the SMS intake on st, filing in the demo's regency.
func sms(st *store.Store) *intake.Service { return &intake.Service{Store: st, Region: "61.07"} }

// demoWorld is the full demo data set (as `serve --demo` loads it) plus
// what the demo does not make: SMS reports and replies, a TOTP secret and
// an emergency access grant, so every sealed column holds values.
type demoWorld struct {
	url    string
	key    secret.Key
	st     *store.Store
	phones []string // SMS senders whose reports must still be found by phone
}

func loadDemoWorld(t *testing.T, d store.Dialect) *demoWorld {
	t.Helper()
	w := &demoWorld{url: storetest.URL(t, d), key: secret.NewKey(time.Now())}
	box, err := secret.NewBox([]secret.Key{w.key})
	if err != nil {
		t.Fatal(err)
	}
	w.st = storetest.Open(t, d, storetest.Options{URL: w.url, Box: box})
	if _, err := demo.Load(ctx, w.st); err != nil {
		t.Fatalf("demo accounts: %v", err)
	}
	if _, err := demo.LoadCases(ctx, w.st, 200, 1); err != nil {
		t.Fatalf("demo cases: %v", err)
	}
	if _, err := demo.LoadKLA(ctx, w.st, kla.CurrentYear(time.Now())); err != nil {
		t.Fatalf("demo KLA: %v", err)
	}
	for i := range 3 {
		phone := fmt.Sprintf("+62813999900%02d", i)
		w.phones = append(w.phones, phone)
		for j, text := range []string{"Anak tetangga dipukul setiap malam", "Tolong segera datang"} {
			if _, err := sms(w.st).Handle(ctx, intake.Message{Key: fmt.Sprintf("kannel:rot:%d-%d", i, j),
				Channel: domain.ChannelSMS, From: phone, Text: text}); err != nil {
				t.Fatalf("inbound: %v", err)
			}
		}
		if _, err := sms(w.st).Handle(ctx, intake.Message{Key: fmt.Sprintf("kannel:rot:%d-help", i),
			Channel: domain.ChannelSMS, From: phone, Text: "HELP"}); err != nil {
			t.Fatalf("inbound help: %v", err)
		}
	}
	// A WhatsApp report with a document, fetched and sealed with the
	// report (its file name and content).
	if _, err := sms(w.st).Handle(ctx, intake.Message{Key: "wa:rot-doc", Channel: domain.ChannelWhatsApp, From: "+6281399997777",
		Text: "Surat dari sekolah", Media: []domain.IncomingMedia{{Kind: domain.MediaDocument, ProviderID: "9001",
			DeclaredType: "application/pdf", FileName: "surat-rotasi.pdf"}}}); err != nil {
		t.Fatalf("whatsapp media: %v", err)
	}
	jobs, err := area(w.st).ClaimMedia(ctx, "whatsapp", 10, time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim media: %v %v", jobs, err)
	}
	if err := area(w.st).MediaFetched(ctx, jobs[0].ID, mediatest.PDF("surat rotasi")); err != nil {
		t.Fatalf("media fetched: %v", err)
	}
	u, err := w.st.CreateUser(ctx, sys(), domain.NewUser{Username: "peksos-rot", Role: domain.RoleCaseworker, RegionCode: "61.07",
		Password: "correct horse battery", FullName: "Peksos Rotasi", Email: "rot@example.org", Phone: "+6281399998888"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetTOTP(ctx, access.ForUser(u, "", ""), u.ID, "JBSWY3DPEHPK3PXP", 0); err != nil {
		t.Fatalf("totp: %v", err)
	}
	cs, _, err := area(w.st).ListCases(ctx, sys(), domain.CaseFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	// The demo's victims have no names or disabilities, and it has no
	// perpetrators or placements.
	for i, c := range cs[:5] {
		age := 7 + i
		for _, det := range []cases.CaseDetail{
			{Victim: &domain.Victim{Name: fmt.Sprintf("Korban Rotasi %d", i), Sex: domain.SexFemale, Age: &age,
				Disability: "tunarungu"}},
			{Placement: &domain.Placement{Kind: "safe_house", PlaceName: fmt.Sprintf("Rumah Aman Rotasi %d", i),
				FromDate: "2026-11-01"}},
			{Perpetrator: &domain.Perpetrator{Name: fmt.Sprintf("Pelaku Rotasi %d", i), Sex: domain.SexMale, Relation: "neighbour"}},
		} {
			if err := area(w.st).AddDetail(ctx, sys(), c.ID, det); err != nil {
				t.Fatalf("add detail: %v", err)
			}
		}
	}
	// A safe house and an LKSA with their hosts' data, checks, a status
	// change with its reason, and stays with their reasons, gatekeeping
	// and an extension.
	sh := shelters.New(w.st, area(w.st))
	house, err := sh.CreatePlace(ctx, sys(), domain.NewPlace{Kind: domain.PlaceSafeHouse, Name: "Rumah Aman Rotasi", RegionCode: "61.07",
		Owner: domain.OwnerCommunity, Capacity: 2, HostName: "Ibu Rotasi", HostPhone: "+6281399997000", Address: "Jalan Rotasi 1",
		Household: "Bapak Rotasi"})
	if err != nil {
		t.Fatalf("safe house: %v", err)
	}
	checks := []domain.CheckResult{}
	for _, it := range shelters.DefaultChecklist {
		checks = append(checks, domain.CheckResult{Item: it.Key, Result: domain.CheckPass, Note: "diperiksa " + it.Key})
	}
	if _, err := sh.RecordChecks(ctx, sys(), house.ID, checks); err != nil {
		t.Fatalf("checks: %v", err)
	}
	for _, to := range []string{domain.PlaceVerified, domain.PlaceActive} {
		if err := sh.MovePlace(ctx, sys(), house.ID, to, "hasil kunjungan rotasi", 0); err != nil {
			t.Fatalf("house %s: %v", to, err)
		}
	}
	if _, err := sh.AddVisit(ctx, sys(), domain.SupervisionVisit{PlaceID: house.ID, VisitedOn: "2026-11-01", Findings: "temuan rotasi",
		NextDue: "2026-12-01"}); err != nil {
		t.Fatalf("visit: %v", err)
	}
	// A children's forum audit: its team and an answer's note.
	au := audits.New(w.st)
	fac, err := au.CreateFacility(ctx, sys(), domain.Facility{Kind: domain.FacilityRBRA, Name: "Taman Rotasi", RegionCode: "61.07", Agency: "dlh"})
	if err != nil {
		t.Fatalf("facility: %v", err)
	}
	aud, err := au.PlanAudit(ctx, sys(), fac.ID, "2026-11-01", []audits.TeamMember{{FirstName: "Rotasi", Age: 12, Forum: "Forum Anak"}}, "")
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	yes := true
	if err := au.SaveAnswers(ctx, sys(), aud.ID, []audits.Answer{{AuditAnswer: domain.AuditAnswer{Item: "lokasi_aman", Yes: &yes,
		Note: "catatan rotasi"}, ChildRating: 5}}); err != nil {
		t.Fatalf("answers: %v", err)
	}
	if _, err := au.AddPhoto(ctx, sys(), aud.ID, "lokasi_aman", mediatest.GPSJPEG()); err != nil {
		t.Fatalf("audit photo: %v", err)
	}
	// A children's forum with a child (both phones) and a proposal.
	mr := musrenbang.New(w.st)
	forum, err := mr.CreateForum(ctx, sys(), "Forum Rotasi", "61.07")
	if err != nil {
		t.Fatalf("forum: %v", err)
	}
	kid, _, err := mr.RegisterChild(ctx, sys(), musrenbang.NewChild{ForumID: forum.ID, Nickname: "Rotasi", AgeGroup: "13-15",
		VillageCode: "61.07.01.2001", ConsentBy: "ibu", Phone: "081299990001", GuardianPhone: "081299990002"})
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if _, err := mr.Submit(ctx, &kid, musrenbang.NewProposal{Title: "Usulan rotasi", Body: "Teks usulan rotasi kunci.", Cluster: "IV",
		Photo: mediatest.MetaPNG()}); err != nil {
		t.Fatalf("proposal: %v", err)
	}
	lksa, err := sh.CreatePlace(ctx, sys(), domain.NewPlace{Kind: domain.PlaceLKSA, Name: "LKSA Rotasi", RegionCode: "61.07",
		Owner: domain.OwnerCommunity, Capacity: 10, PermitExpires: "2031-01-01"})
	if err != nil {
		t.Fatalf("lksa: %v", err)
	}
	for i, c := range cs[:2] {
		full, err := area(w.st).GetCase(ctx, sys(), c.ID)
		if err != nil || len(full.Victims) == 0 {
			t.Fatalf("case for a stay: %v", err)
		}
		ns := domain.NewStay{PlaceID: house.ID, CaseID: c.ID, VictimID: full.Victims[0].ID, Reason: "alasan penempatan rotasi"}
		if i == 1 {
			ns.PlaceID, ns.Gatekeeping = lksa.ID, "tidak ada keluarga pengganti (rotasi)"
		}
		stay, err := sh.PlaceChild(ctx, sys(), ns)
		if err != nil {
			t.Fatalf("stay: %v", err)
		}
		if i == 0 {
			if err := sh.ExtendStay(ctx, sys(), stay.ID, stay.StayUntil.Add(72*time.Hour), "perpanjangan rotasi"); err != nil {
				t.Fatalf("extend: %v", err)
			}
		}
	}
	granted := false
	for _, c := range cs {
		if _, err := area(w.st).GrantEmergencyAccess(ctx, access.ForUser(u, "", ""), c.ID,
			"Satgas tidak dapat dihubungi, anak dilaporkan hilang malam ini"); err == nil {
			granted = true
			break
		}
	}
	if !granted {
		t.Fatal("no demo case accepted an emergency access grant")
	}
	// Documents: one kept, one deleted (its reason sealed, its content
	// erased).
	for i, c := range cs[:2] {
		doc, err := area(w.st).UploadDocument(ctx, sys(), c.ID, domain.NewDocument{Kind: domain.DocVisum, Title: "Visum Rotasi",
			Description: "Hasil pemeriksaan", FileName: "visum.pdf", Data: []byte("%PDF-1.4\nvisum rotasi\n%%EOF\n")})
		if err != nil {
			t.Fatalf("document: %v", err)
		}
		if i == 1 {
			if err := area(w.st).DeleteDocument(ctx, sys(), c.ID, doc.ID, "Salah unggah (rotasi)"); err != nil {
				t.Fatalf("delete document: %v", err)
			}
		}
	}
	return w
}

// readable reads every report, case (with victims, perpetrators, services,
// referrals and notes) and user through the store's read functions, with
// the personal fields decrypted.
func readable(t *testing.T, st *store.Store) map[string]any {
	t.Helper()
	out := map[string]any{}
	for off := 0; ; off += 200 {
		reps, _, err := area(st).ListReports(ctx, sys(), cases.ReportFilter{Limit: 200, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			full, err := area(st).GetReport(ctx, sys(), r.ID)
			if err != nil {
				t.Fatalf("read report %s: %v", r.Code, err)
			}
			out["report/"+r.ID] = full
		}
		if len(reps) < 200 {
			break
		}
	}
	for off := 0; ; off += 200 {
		cs, _, err := area(st).ListCases(ctx, sys(), domain.CaseFilter{Limit: 200, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			full, err := area(st).GetCase(ctx, sys(), c.ID)
			if err != nil {
				t.Fatalf("read case %s: %v", c.Code, err)
			}
			out["case/"+c.ID] = full
		}
		if len(cs) < 200 {
			break
		}
	}
	us, _, err := st.ListUsers(ctx, sys(), domain.UserFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		full, err := st.GetUser(ctx, sys(), u.ID)
		if err != nil {
			t.Fatalf("read user %s: %v", u.Username, err)
		}
		cr, err := st.CredentialsByID(ctx, u.ID)
		if err != nil {
			t.Fatalf("credentials of %s: %v", u.Username, err)
		}
		out["user/"+u.ID] = full
		out["totp/"+u.ID] = cr.TOTPSecret
	}
	return out
}

// TestKeyRotationKeepsDemoReadable rotates the key of the full demo data
// set and reopens the store with only the new key: every personal field of
// every report, case, victim, perpetrator, note, inbound message, outbox
// row, emergency access grant and user reads back identical, and lookups
// by phone find the same rows.
func TestKeyRotationKeepsDemoReadable(t *testing.T) {
	// Each loads demo data into a database of its own: the two such tests
	// overlap. The test command runs their PostgreSQL legs in its normal
	// pass, not under the race detector (there 35 s each alone and up
	// to 120 s beside the normal pass; without it about 20 s).
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := loadDemoWorld(t, d)
		before := readable(t, w.st)
		nReports, nCases := 0, 0
		for k := range before {
			nReports += b2i(strings.HasPrefix(k, "report/"))
			nCases += b2i(strings.HasPrefix(k, "case/"))
		}
		if nReports < 200 || nCases < 100 {
			t.Fatalf("demo data too small: %d reports, %d cases", nReports, nCases)
		}

		db := rawDB(t, d, w.url)
		oldBox, _ := secret.NewBox([]secret.Key{w.key})
		sealedBefore := sealedSnapshot(t, db, oldBox)
		perTable := map[string]int{}
		for k := range sealedBefore {
			perTable[k[:strings.IndexByte(k, '/')]]++
		}
		for _, c := range store.SealedColumns() {
			if perTable[c.Table+"."+c.Column] == 0 {
				t.Errorf("the demo world holds no value in %s.%s: the test would not see it lost", c.Table, c.Column)
			}
		}
		// Lookups by phone: demo users, web reports and SMS senders.
		lookups := map[string]string{}
		users, _, _ := w.st.ListUsers(ctx, sys(), domain.UserFilter{Limit: 200})
		for _, u := range users {
			if full, _ := w.st.GetUser(ctx, sys(), u.ID); full.Phone != "" {
				lookups["user:"+full.Phone] = full.ID
			}
		}
		for k, v := range sealedBefore {
			if strings.HasPrefix(k, "reports.contact_phone_enc/") {
				lookups["report:"+v] = byHash(t, db, "reports", "contact_phone_hash", oldBox.Hash("phone", v))
			}
		}
		for _, p := range w.phones {
			lookups["sms:"+p] = byHash(t, db, "inbound_messages", "phone_hash", oldBox.Hash("phone", p))
		}

		newKey := secret.NewKey(time.Now())
		newKey.ID += "n"
		both, _ := secret.NewBox([]secret.Key{newKey, w.key})
		st2 := storetest.Open(t, d, storetest.Options{URL: w.url, Box: both, Regions: "-"})
		if d, err := st2.KeyDependents(ctx); err != nil || d.Total() == 0 {
			t.Fatalf("before rotation nothing depends on the old key (err %v)", err)
		}
		t0 := time.Now()
		counts, err := st2.Reencrypt(ctx, sys())
		if err != nil {
			t.Fatalf("rotate: %v", err)
		}
		t.Logf("rotation took %v", time.Since(t0))
		for _, c := range counts {
			t.Logf("%-20s %6d rows: %6d values re-encrypted, %5d hashes recomputed, %5d cleared", c.Table, c.Checked, c.Values, c.Hashes, c.Cleared)
		}
		if d, err := st2.KeyDependents(ctx); err != nil || d.Total() != 0 {
			t.Fatalf("after rotation still depending on the old key (err %v):\n%s", err, d)
		}
		st2.Close()

		only, _ := secret.NewBox([]secret.Key{newKey})
		st3 := storetest.Open(t, d, storetest.Options{URL: w.url, Box: only, Regions: "-"})
		sealedAfter := sealedSnapshot(t, db, only)
		if !reflect.DeepEqual(sealedBefore, sealedAfter) {
			t.Errorf("sealed values differ after rotation: %d before, %d after", len(sealedBefore), len(sealedAfter))
		}
		for k, want := range lookups {
			who, phone, _ := strings.Cut(k, ":")
			var got string
			switch who {
			case "user":
				u, err := st3.UserByPhone(ctx, phone)
				if err != nil {
					t.Errorf("after rotation phone lookup of user %s: %v", want, err)
				}
				got = u.ID
			case "report":
				got = byHash(t, db, "reports", "contact_phone_hash", only.Hash("phone", phone))
			case "sms":
				got = byHash(t, db, "inbound_messages", "phone_hash", only.Hash("phone", phone))
			}
			if got != want || want == "" {
				t.Errorf("%s lookup by phone after rotation found %q, before %q", who, got, want)
			}
		}
		after := readable(t, st3)
		if len(after) != len(before) {
			t.Fatalf("after rotation %d records, before %d", len(after), len(before))
		}
		for k, v := range before {
			if !reflect.DeepEqual(v, after[k]) {
				t.Errorf("%s reads differently after rotation:\nbefore %+v\nafter  %+v", k, v, after[k])
			}
			// A sender's next SMS still joins the report their earlier
			// messages started (found through the inbound phone hash).
			res, err := sms(st3).Handle(ctx, intake.Message{Key: "kannel:rot:after", Channel: domain.ChannelSMS,
				From: w.phones[0], Text: "Masih terjadi"})
			if err != nil || res.Kind != "append" {
				t.Errorf("SMS after rotation: kind %q err %v, want it appended to the sender's report", res.Kind, err)
			}
			if rep, err := area(st3).GetReport(ctx, sys(), res.ReportID); err != nil || !strings.HasSuffix(rep.Description, "\nMasih terjadi") {
				t.Errorf("appended report after rotation: %q %v", rep.Description, err)
			}
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sealedSnapshot decrypts every value of every registered sealed column,
// keyed "table.column/row key".
func sealedSnapshot(t *testing.T, db *sql.DB, box *secret.Box) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range store.SealedColumns() {
		rows, err := db.QueryContext(ctx, `SELECT `+c.Key+`, `+c.Column+` FROM `+c.Table+` WHERE `+c.Column+` <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, ct string
			if err := rows.Scan(&k, &ct); err != nil {
				t.Fatal(err)
			}
			pt, err := box.Decrypt(c.Field, ct)
			if err != nil {
				t.Fatalf("%s.%s row %s: %v", c.Table, c.Column, k, err)
			}
			out[c.Table+"."+c.Column+"/"+k] = pt
		}
		rows.Close()
	}
	return out
}

// byHash returns the ids of table's rows whose column holds hash.
func byHash(t *testing.T, db *sql.DB, table, column, hash string) string {
	t.Helper()
	q := `SELECT id FROM ` + table + ` WHERE ` + column + ` = $1 ORDER BY id`
	if table == "inbound_messages" { // what the hash is looked up for: joining a sender's texts
		q = `SELECT id FROM inbound_messages WHERE phone_hash = $1 AND kind IN ('report', 'append') ORDER BY id`
	}
	rows, err := db.QueryContext(ctx, q, hash)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return strings.Join(ids, ",")
}

// notBoxHashes are the "_hash" columns that are not keyed lookup hashes of
// the box, so rotation leaves them alone.
var notBoxHashes = map[string]string{
	"users.password_hash":       "argon2id of the password",
	"sessions.id_hash":          "SHA-256 of the session cookie",
	"api_tokens.token_hash":     "SHA-256 of the API token",
	"audit_log.prev_hash":       "audit hash chain",
	"audit_log.hash":            "audit hash chain",
	"child_accounts.code_hash":  "SHA-256 of a child's login code (78 random bits)",
	"child_sessions.token_hash": "SHA-256 of a child's session cookie",
}

// TestSealedRegistryCoversSchema walks every column of the migrated schema
// holding the full demo data: a ciphertext column (named "…_enc", or
// holding a value that parses as sealed) or a lookup hash column ("…_hash")
// missing from the registry would keep a value under a key that rotation
// then removes.
func TestSealedRegistryCoversSchema(t *testing.T) {
	// Each loads demo data into a database of its own: the two such tests
	// overlap. The test command runs their PostgreSQL legs in its normal
	// pass, not under the race detector (there 35 s each alone and up
	// to 120 s beside the normal pass; without it about 20 s).
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := loadDemoWorld(t, d)
		db := rawDB(t, d, w.url)
		sealed, hashes := map[string]bool{}, map[string]bool{}
		for _, c := range store.SealedColumns() {
			sealed[c.Table+"."+c.Column] = true
		}
		for _, h := range store.LookupHashColumns() {
			hashes[h] = true
		}
		q := `SELECT m.name, p.name, upper(p.type) FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`
		if d == store.Postgres {
			q = `SELECT table_name, column_name, upper(data_type) FROM information_schema.columns
				WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`
		}
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		type col struct{ table, name, typ string }
		var cols []col
		for rows.Next() {
			var c col
			if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		rows.Close()
		if len(cols) < 100 {
			t.Fatalf("schema walk found only %d columns", len(cols))
		}
		found := 0
		for _, c := range cols {
			full := c.table + "." + c.name
			if strings.HasSuffix(c.name, "_enc") && !sealed[full] {
				t.Errorf("%s is named like a sealed column but is not in the registry (store.sealedColumns)", full)
			}
			if strings.HasSuffix(c.name, "_hash") && !hashes[full] && notBoxHashes[full] == "" {
				t.Errorf("%s is named like a lookup hash but is neither in the registry nor known as another kind of hash", full)
			}
			if hashes[full] && notBoxHashes[full] != "" {
				t.Errorf("%s is both a lookup hash and %s", full, notBoxHashes[full])
			}
			if !strings.Contains(c.typ, "TEXT") && !strings.Contains(c.typ, "CHAR") {
				continue
			}
			// Every value of every text column: one that parses as
			// sealed must be in a registered column.
			vals, err := db.QueryContext(ctx, `SELECT "`+c.name+`" FROM "`+c.table+`" WHERE "`+c.name+`" IS NOT NULL`)
			if err != nil {
				t.Fatalf("scan %s: %v", full, err)
			}
			n := 0
			for vals.Next() {
				var v string
				if err := vals.Scan(&v); err != nil {
					t.Fatalf("scan %s: %v", full, err)
				}
				if secret.KeyIDOf(v) != "" {
					n++
				}
			}
			vals.Close()
			if n > 0 {
				found++
				if !sealed[full] {
					t.Errorf("%s holds %d sealed values but is not in the registry (store.sealedColumns)", full, n)
				}
			}
		}
		if found < len(sealed) {
			t.Errorf("sealed values found in %d columns, the registry names %d: the demo world misses some", found, len(sealed))
		}
		// The store's own check, which key rotation runs before removing
		// a key, agrees.
		dep, err := w.st.KeyDependents(ctx)
		if err != nil || dep.Total() != 0 {
			t.Errorf("with one key something depends on another (err %v):\n%s", err, dep)
		}
	})
}

// A lindu still running with the old key seals new values with it after a
// rotation: KeyDependents names them (the key rotate command then keeps the
// old key), and running the rotation again finishes the job.
func TestKeyRotationFinishesWhatAnOldKeyWroteMeanwhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		k1 := secret.NewKey(time.Now())
		box1, _ := secret.NewBox([]secret.Key{k1})
		old := storetest.Open(t, d, storetest.Options{URL: u, Box: box1})
		k2 := secret.NewKey(time.Now())
		k2.ID += "b"
		box2, _ := secret.NewBox([]secret.Key{k2, k1})
		rot := storetest.Open(t, d, storetest.Options{URL: u, Box: box2, Regions: "-"})
		if _, err := rot.Reencrypt(ctx, sys()); err != nil {
			t.Fatal(err)
		}
		age := 8
		rep, _, err := area(old).CreateReport(ctx, access.Public("1.2.3.4", "x"), domain.NewReport{Channel: domain.ChannelWeb,
			RegionCode: "61.07.01.2001", Description: "Ditulis dengan kunci lama", ChildAge: &age, ContactPhone: "+6281377776666"}, "61.07")
		if err != nil {
			t.Fatal(err)
		}
		dep, err := rot.KeyDependents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if dep.Values["reports.description_enc"][k1.ID] != 1 || dep.Values["reports.contact_phone_enc"][k1.ID] != 1 ||
			dep.Hashes["reports.contact_phone_hash"] != 1 {
			t.Fatalf("a report sealed with the old key after rotation is not counted:\n%s", dep)
		}
		if _, err := rot.Reencrypt(ctx, sys()); err != nil {
			t.Fatal(err)
		}
		if dep, _ := rot.KeyDependents(ctx); dep.Total() != 0 {
			t.Fatalf("second run left:\n%s", dep)
		}
		only, _ := secret.NewBox([]secret.Key{k2})
		st := storetest.Open(t, d, storetest.Options{URL: u, Box: only, Regions: "-"})
		got, err := area(st).GetReport(ctx, sys(), rep.ID)
		if err != nil || got.Description != "Ditulis dengan kunci lama" || got.ContactPhone != "+6281377776666" {
			t.Fatalf("report after the second run: %+v %v", got, err)
		}
	})
}
