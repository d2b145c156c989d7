package server_test

import (
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
)

// The inbox filters by team: only the cases that team leads or supports.
func TestInboxTeamFilter(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	sys := access.System("test")
	ta, err := w.srv.Cases.CreateTeam(bg, sys, domain.Team{Name: "Satgas Desa A", Kind: "village_taskforce", RegionCode: "61.07.01.2001"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.CreateTeam(bg, sys, domain.Team{Name: "Satgas Desa B", Kind: "village_taskforce", RegionCode: "61.07.02.2001"}); err != nil {
		t.Fatal(err)
	}
	mk := func(region string) domain.Case {
		r, _, err := w.srv.Cases.CreateReport(bg, access.Public("", ""), domain.NewReport{Channel: domain.ChannelWeb, RegionCode: region,
			Description: "anak terlantar di rumah kosong"}, "")
		if err != nil {
			t.Fatal(err)
		}
		c, err := w.srv.Cases.VerifyReport(bg, access.ForUser(w.users["sup"], "", ""), r.ID, cases.VerifyInput{Priority: domain.PriorityMedium,
			Types: []domain.ViolenceType{domain.VNeglect}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := mk("61.07.01.2001"), mk("61.07.02.2001")
	br := w.loggedIn("sup")
	_, all, _ := br.get("/kasus")
	if !strings.Contains(all, domain.FormatPublicCode(a.Code)) || !strings.Contains(all, domain.FormatPublicCode(b.Code)) {
		t.Fatal("inbox without filter lacks a case")
	}
	code, body, _ := br.get("/kasus?f=1&open=1&team=" + ta.ID)
	if code != 200 || !strings.Contains(body, domain.FormatPublicCode(a.Code)) || strings.Contains(body, domain.FormatPublicCode(b.Code)) {
		t.Fatalf("team filter: %d", code)
	}
	if !strings.Contains(body, `value="`+ta.ID+`" selected`) {
		t.Fatal("the chosen team is not kept in the form")
	}
	// An unknown team id is ignored, not an error.
	if code, body, _ := br.get("/kasus?f=1&team=nope"); code != 200 || !strings.Contains(body, domain.FormatPublicCode(b.Code)) {
		t.Fatalf("unknown team: %d", code)
	}
}
