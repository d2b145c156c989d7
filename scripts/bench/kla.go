package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The KLA dashboard at national volume: /kla for a province (61) and a
// regency (61.07) viewer, with a self-assessed value of every indicator
// for every village of Indonesia in 2023-2025 (83,763 × 31 × 3 ≈ 7.8
// million values) and 100,000 cases in the regency behind the computed
// indicators, against a bare handler running the raw aggregate of the
// same region and year (the mean of each indicator over the region's
// values, no scoring) and writing it as JSON. The data set is a
// deployment of the whole country (no root region), kept apart from the
// inbox's: lindu demo generate --cases 100000 --region 61.07 --kla-years
// 2023,2024,2025.
func init() {
	register(workload{name: "kla", doc: "KLA dashboard /kla at regency and province (7.8M values, 100,000 cases) vs the raw aggregate SQL", run: runKLA})
}

const (
	klaYears    = "2023,2024,2025"
	klaYear     = 2025
	klaCases    = 100000
	klaRegime   = "permen-pppa-12-2011"
	klaProvince = "61"
)

// klaSet is the KLA data set of one database.
type klaSet struct {
	DBURL   string            `json:"db_url"`
	DataDir string            `json:"data_dir"`
	Users   map[string]string `json:"users"` // username → password
}

func runKLA(ctx context.Context, e *env) ([]line, error) {
	ks, err := e.klaDataset(ctx)
	if err != nil {
		return nil, err
	}
	srv, err := e.klaServe(ctx, ks)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	db, err := klaDB(e.dialect, ks.DBURL)
	if err != nil {
		return nil, err
	}
	defer func() { _ = db.Close() }()
	// The raw aggregate (kla.RawTotal's SQL): one grouped range scan of
	// the region's values for the year.
	q := `SELECT indicator_id, AVG(self_value) FROM kla_values WHERE regime = ` + e.ph(1) + ` AND year = ` + e.ph(2) + `
		AND (region_code = ` + e.ph(3) + ` OR (region_code >= ` + e.ph(4) + ` AND region_code < ` + e.ph(5) + `)) GROUP BY indicator_id`
	base, stop := baseline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		region := r.URL.Query().Get("region")
		rows, err := db.QueryContext(r.Context(), q, klaRegime, klaYear, region, region+".", region+"/")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rows.Close()
		out := map[string]float64{}
		for rows.Next() {
			var id string
			var avg sql.NullFloat64
			if err := rows.Scan(&id, &avg); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			out[id] = avg.Float64
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if len(out) == 0 {
			http.Error(w, "no values", 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	defer stop()

	var lines []line
	for _, who := range []struct{ user, region, label string }{{"kla-kab", regency, "regency"}, {"kla-prov", klaProvince, "province"}} {
		web, err := login(srv.url, who.user, ks.Users[who.user])
		if err != nil {
			return lines, err
		}
		page := fmt.Sprintf("%s/kla?region=%s&year=%d", srv.url, who.region, klaYear)
		// The first view counts the region's cases for the computed
		// indicators; later ones share them (two minutes).
		t0 := time.Now()
		if err := web.get(page); err != nil {
			return lines, err
		}
		first := time.Since(t0)
		bc := newClient()
		raw := func(int, int) error { return bc.get(base + "/?region=" + who.region) }
		for _, clients := range []int{1, 8} {
			a, b := e.abab(clients, func(int, int) error { return web.get(page) }, raw)
			l := timeRatio(fmt.Sprintf("kla dashboard %s %dc", who.label, clients), a, b)
			if clients == 1 {
				l.Note = strings.TrimPrefix(l.Note+"; first view "+ms(first), "; ")
			}
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// klaDataset prepares (once) and returns the KLA data set of e's database.
func (e *env) klaDataset(ctx context.Context) (*klaSet, error) {
	dir := filepath.Join(e.work, "kla-"+e.dialect)
	marker := filepath.Join(dir, "ready.json")
	if b, err := os.ReadFile(marker); err == nil {
		var ks klaSet
		if err := json.Unmarshal(b, &ks); err == nil {
			return &ks, nil
		}
	}
	ks := &klaSet{DataDir: dir, Users: map[string]string{}}
	u, err := e.freshDatabase(ctx, dir, "lindu_bench_kla_"+dbSafe(filepath.Base(e.work)))
	if err != nil {
		return nil, err
	}
	ks.DBURL = u
	fmt.Fprintf(os.Stderr, "preparing kla-%s: migrate, %d cases, KLA values of every village in %s (once, minutes; kept in %s)\n",
		e.dialect, klaCases, klaYears, dir)
	if _, err := klaLindu(ctx, e.bin, ks, "", "migrate"); err != nil {
		return nil, err
	}
	if _, err := klaLindu(ctx, e.bin, ks, "", "demo", "generate", "--cases", fmt.Sprint(klaCases), "--region", regency,
		"--kla-years", klaYears); err != nil {
		return nil, err
	}
	for _, u := range []struct{ name, region string }{{"kla-kab", regency}, {"kla-prov", klaProvince}} {
		pw := "Bench-" + randHex(12)
		if _, err := klaLindu(ctx, e.bin, ks, pw+"\n", "user", "add", "--username", u.name, "--role", "viewer", "--region", u.region,
			"--password-stdin", "--full-name", "Bench KLA "+u.region); err != nil {
			return nil, err
		}
		ks.Users[u.name] = pw
	}
	if e.dialect == "postgres" {
		if err := vacuumPG(ctx, ks.DBURL); err != nil { // as in dataset
			return nil, err
		}
	}
	b, _ := json.MarshalIndent(ks, "", "  ")
	if err := os.WriteFile(marker, b, 0o600); err != nil {
		return nil, err
	}
	return ks, nil
}

// klaEnv is the environment of a lindu command on the KLA data set: the
// whole country, no root region.
func klaEnv(ks *klaSet) []string {
	return append(os.Environ(), "LINDU_DB="+ks.DBURL, "LINDU_DATA_DIR="+ks.DataDir, "LINDU_ROOT_REGION=", "LINDU_LOG_LEVEL=warn")
}

// klaLindu runs a lindu command on the KLA data set and returns its stdout.
func klaLindu(ctx context.Context, bin string, ks *klaSet, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = klaEnv(ks)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("lindu %s: %v: %s", strings.Join(args, " "), err, tail(errb.String(), 600))
	}
	return out.String(), nil
}

// klaServe starts lindu serve on the KLA data set.
func (e *env) klaServe(ctx context.Context, ks *klaSet) (*server, error) {
	addr := freeAddr()
	logf := filepath.Join(e.work, "kla-"+e.dialect+"-serve.log")
	f, err := os.Create(logf)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(e.bin, "serve")
	cmd.Env = append(klaEnv(ks), "LINDU_ADDR="+addr, "LINDU_TRUST_PROXY=1")
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, err
	}
	s := &server{url: "http://" + addr, cmd: cmd, log: logf}
	go func() { _ = cmd.Wait(); _ = f.Close() }()
	for deadline := time.Now().Add(5 * time.Minute); ; {
		if err := ctx.Err(); err != nil {
			s.stop()
			return nil, err
		}
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			s.stop()
			b, _ := os.ReadFile(logf)
			return nil, fmt.Errorf("lindu serve did not become ready: %s", tail(string(b), 800))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// klaDB opens the KLA data set's database directly, for the baseline,
// with the read settings lindu's own readers use.
func klaDB(dialect, dbURL string) (*sql.DB, error) {
	if dialect == "sqlite" {
		db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(dbURL, "sqlite:")+
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=query_only(1)&_pragma=mmap_size(1073741824)&_pragma=cache_size(-16384)&_time_format=sqlite")
		if err == nil {
			db.SetMaxOpenConns(8)
		}
		return db, err
	}
	db, err := sql.Open("pgx", dbURL)
	if err == nil {
		db.SetMaxOpenConns(16)
	}
	return db, err
}
