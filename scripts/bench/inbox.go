package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// The inbox: GET /api/v1/cases?open=1 and /kasus (the page a supervisor
// opens first) for the regency supervisor (every case of 61.07) and a
// district caseworker, with 1 and 8 clients, against a bare handler that
// runs the raw first-page query (open cases with a running clock, earliest
// deadline first, then the newest without one: 50 rows) and writes them as
// JSON.
func init() {
	register(workload{name: "inbox", doc: "case inbox (API and HTML, 1 and 8 clients) vs the raw first-page query", run: runInbox})
}

func runInbox(ctx context.Context, e *env) ([]line, error) {
	srv, err := e.serve(ctx)
	if err != nil {
		return nil, err
	}
	db, err := e.sqlDB(ctx)
	if err != nil {
		return nil, err
	}
	// The page the inbox shows: the open cases with a running clock,
	// earliest deadline first, then (when they end before the page does)
	// the newest open cases without one. Until December 2026 the baseline
	// stopped at the first part, so a district whose 22 clocks end early
	// compared lindu's 50 rows with 22.
	cols := `c.id, c.code, c.region_code, c.status, c.priority, c.reported_at, c.next_due_at`
	in := `(c.region_code = ` + e.ph(1) + ` OR c.region_code LIKE ` + e.ph(2) + `) AND c.closed_at IS NULL`
	q := `SELECT * FROM (SELECT ` + cols + ` FROM cases c WHERE ` + in + ` AND c.next_due_at IS NOT NULL ORDER BY c.next_due_at, c.id LIMIT 50) a
		UNION ALL SELECT * FROM (SELECT ` + cols + ` FROM cases c WHERE ` + in + ` AND c.next_due_at IS NULL ORDER BY c.reported_at DESC, c.id DESC LIMIT 50) b
		LIMIT 50`
	type row struct {
		ID, Code, Region, Status, Priority string
		Reported, Due                      time.Time
	}
	base, stop := baseline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		region := r.URL.Query().Get("region")
		servePage(w, r, db, func(rows *sql.Rows) (row, error) {
			var x row
			var due sql.NullTime
			err := rows.Scan(&x.ID, &x.Code, &x.Region, &x.Status, &x.Priority, &x.Reported, &due)
			x.Due = due.Time
			return x, err
		}, q, region, region+".%")
	}))
	defer stop()

	var lines []line
	for _, who := range []struct{ user, region, label string }{{userSup, regency, "regency supervisor"}, {userCW, district, "district caseworker"}} {
		api := e.apiClient(who.user)
		web, err := login(srv.url, who.user, e.ds.Users[who.user])
		if err != nil {
			return lines, err
		}
		bc := newClient()
		raw := func(int, int) error { return bc.get(base + "/?region=" + who.region) }
		for _, clients := range []int{1, 8} {
			a, b := e.abab(clients, func(int, int) error { return api.get(srv.url + "/api/v1/cases?open=1") }, raw)
			lines = append(lines, timeRatio(fmt.Sprintf("inbox api %s %dc", who.label, clients), a, b))
			a, b = e.abab(clients, func(int, int) error { return web.get(srv.url + "/kasus") }, raw)
			lines = append(lines, timeRatio(fmt.Sprintf("inbox html %s %dc", who.label, clients), a, b))
		}
	}
	return lines, nil
}

// servePage answers with the rows of query q as JSON, each read by scan:
// the baselines' bare handler of a list's first page.
func servePage[T any](w http.ResponseWriter, r *http.Request, db *sql.DB, scan func(*sql.Rows) (T, error), q string, args ...any) {
	rows, err := db.QueryContext(r.Context(), q, args...)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
