package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"time"
)

// The report triage list (/laporan and GET /api/v1/reports) of the regency
// supervisor, against the raw query of its first page: the reports waiting
// for triage (the list's default), and every report of the regency (the
// list's "all", 200,000 reports behind the cases), at 1 and 8 clients.
func init() {
	register(workload{name: "triage", doc: "report triage list (API and HTML, waiting and all reports, 1 and 8 clients) vs the raw first-page query", run: runTriage})
}

func runTriage(ctx context.Context, e *env) ([]line, error) {
	srv, err := e.serve(ctx)
	if err != nil {
		return nil, err
	}
	db, err := e.sqlDB(ctx)
	if err != nil {
		return nil, err
	}
	in := `(r.region_code = ` + e.ph(1) + ` OR r.region_code LIKE ` + e.ph(2) + `)`
	cols := `r.id, r.code, r.channel, r.status, r.region_code, r.received_at, r.description_enc`
	page := map[string]string{
		"new": `SELECT ` + cols + ` FROM reports r WHERE ` + in + ` AND r.status = 'new' ORDER BY r.received_at DESC LIMIT 50`,
		"all": `SELECT ` + cols + ` FROM reports r WHERE ` + in + ` ORDER BY r.received_at DESC LIMIT 50`,
	}
	type row struct {
		ID, Code, Channel, Status, Region, Description string
		Received                                       time.Time
	}
	base, stop := baseline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, ok := page[r.URL.Query().Get("status")]
		if !ok {
			http.Error(w, "status", http.StatusBadRequest)
			return
		}
		servePage(w, r, db, func(rows *sql.Rows) (row, error) {
			var x row
			err := rows.Scan(&x.ID, &x.Code, &x.Channel, &x.Status, &x.Region, &x.Received, &x.Description)
			return x, err
		}, q, regency, regency+".%")
	}))
	defer stop()
	if err := checkTriageData(ctx, db); err != nil {
		return nil, err
	}
	api := e.apiClient(userSup)
	web, err := login(srv.url, userSup, e.ds.Users[userSup])
	if err != nil {
		return nil, err
	}
	bc := newClient()
	var lines []line
	for _, st := range []struct{ label, api, html string }{
		{"waiting", "/api/v1/reports?status=new", "/laporan"},
		{"all", "/api/v1/reports", "/laporan?status=all"},
	} {
		raw := func(int, int) error {
			return bc.get(base + "/?status=" + map[string]string{"waiting": "new", "all": "all"}[st.label])
		}
		for _, clients := range []int{1, 8} {
			a, b := e.abab(clients, func(int, int) error { return api.get(srv.url + st.api) }, raw)
			lines = append(lines, timeRatio(fmt.Sprintf("triage api %s %dc", st.label, clients), a, b))
			a, b = e.abab(clients, func(int, int) error { return web.get(srv.url + st.html) }, raw)
			lines = append(lines, timeRatio(fmt.Sprintf("triage html %s %dc", st.label, clients), a, b))
		}
	}
	return lines, nil
}

// checkTriageData fails when the data set has no reports behind its cases
// (made before lindu demo generate wrote them): the list would be
// measured empty.
func checkTriageData(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM reports LIMIT 1000) x`).Scan(&n); err != nil {
		return err
	}
	if n < 1000 {
		return fmt.Errorf("the data set holds %d reports: make it again (remove its directory)", n)
	}
	return nil
}
