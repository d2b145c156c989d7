package kla_test

import (
	"reflect"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// checkReader fails the test unless the dashboards r builds — which keep
// what they read of the regions below a region while its version stands
// still — rank every region as the dashboards built from the database
// now do: r was used after the previous write, so a kept reading that
// the write should have replaced shows here.
func checkReader(t *testing.T, st *store.Store, r *kla.Reader, sc domain.Scope, after string) {
	t.Helper()
	for _, region := range []string{"61", "61.07", "61.07.01", "61.07.02"} {
		for _, year := range []int{2023, 2024, 2025} {
			want, err := kla.BuildDashboard(bg, st, sc, region, year)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.BuildDashboard(bg, sc, region, year)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Children, want.Children) || !reflect.DeepEqual(got.Grandchildren, want.Grandchildren) ||
				!reflect.DeepEqual(got.Score, want.Score) {
				t.Fatalf("after %s the kept dashboard of %s %d differs from the database's:\nchildren %+v\nwant     %+v\ngrandchildren %+v\nwant          %+v",
					after, region, year, got.Children, want.Children, got.Grandchildren, want.Grandchildren)
			}
		}
	}
}

// checkRanks fails the test unless every row of the rankings under region
// (read through r) carries the totals, category and missing count of the
// region's own score.
func checkRanks(t *testing.T, st *store.Store, r *kla.Reader, sc domain.Scope, region string, year int) {
	t.Helper()
	d, err := r.BuildDashboard(bg, sc, region, year)
	if err != nil {
		t.Fatal(err)
	}
	rows := append(append([]kla.RankRow{}, d.Children...), d.Grandchildren...)
	if len(rows) < 100 {
		t.Fatalf("%s %d: %d regions ranked", region, year, len(rows))
	}
	scored := 0
	for _, row := range rows {
		own, _, err := kla.ScoreRegion(bg, st, sc, row.Code, year)
		if err != nil {
			t.Fatal(err)
		}
		if row.Total != own.Total || row.VerifiedTotal != own.VerifiedTotal || row.Category != own.Category || row.Missing != own.MissingCount {
			t.Errorf("%s %d: ranked %+v, its own score %.4f, %.4f verified, %q, %d missing", region, year, row,
				own.Total, own.VerifiedTotal, own.Category, own.MissingCount)
		}
		if own.Total > 0 {
			scored++
		}
	}
	if scored < 3 {
		t.Errorf("%s %d: %d of %d ranked regions score above zero", region, year, scored, len(rows))
	}
}

// A write reaches every reader of the database (each lindu serve process
// holds one): none keeps the ranking from before it.
func TestReadersFollowWrites(t *testing.T) {
	t.Parallel()
	st, _, adm := setup(t, store.SQLite)
	a, b := kla.NewReader(st, time.Minute), kla.NewReader(st, time.Minute)
	rank := func(r *kla.Reader) []kla.RankRow {
		t.Helper()
		d, err := r.BuildDashboard(bg, adm, "61.07", 2025)
		if err != nil {
			t.Fatal(err)
		}
		return d.Grandchildren
	}
	before := rank(a)
	if !reflect.DeepEqual(before, rank(b)) {
		t.Fatal("two readers of one database disagree")
	}
	if err := kla.PutValues(bg, st, adm, regime, []domain.KLAValueInput{{IndicatorID: "11", RegionCode: "61.07.01.2001", Year: 2025, Value: 80}}); err != nil {
		t.Fatal(err)
	}
	after := rank(a)
	if reflect.DeepEqual(before, after) {
		t.Fatal("the reader kept the ranking from before the write")
	}
	if !reflect.DeepEqual(after, rank(b)) {
		t.Fatal("the second reader kept the ranking from before the write")
	}
}
