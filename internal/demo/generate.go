package demo

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// Generate writes n synthetic cases spread over the villages below region
// and the two years before now, in bulk, for benchmarks. progress is
// called after every batch.
func Generate(ctx context.Context, st *store.Store, n int, region string, seed int64, progress func(done, total int)) (int, error) {
	rng := rand.New(rand.NewSource(seed))
	codes, err := villagesBelow(ctx, st, region)
	if err != nil {
		return 0, err
	}
	if len(codes) == 0 {
		return 0, fmt.Errorf("demo: no villages below %q", region)
	}
	area := cases.New(st, cases.Options{})
	start, err := area.CountCases(ctx)
	if err != nil {
		return 0, err
	}
	end := time.Now().UTC()
	from := end.AddDate(-2, 0, 0)
	const batch = 5000
	done, inserted := 0, 0
	for done < n {
		k := min(batch, n-done)
		cs := make([]cases.SyntheticCase, k)
		for i := range cs {
			rep := from.Add(time.Duration(rng.Int63n(int64(end.Sub(from))))).Truncate(time.Second)
			c := cases.SyntheticCase{RegionCode: codes[rng.Intn(len(codes))], Priority: domain.Priorities[rng.Intn(3)],
				Types: []domain.ViolenceType{pickType(rng)}, ReportedAt: rep, VictimAge: rng.Intn(18),
				VictimSex: []domain.Sex{domain.SexFemale, domain.SexMale}[rng.Intn(2)],
				Summary:   fmt.Sprintf("Kasus sintetis untuk uji beban #%d", start+done+i)}
			age := end.Sub(rep)
			ack := rep.Add(time.Duration(5+rng.Intn(90)) * time.Minute)
			resp := ack.Add(time.Duration(1+rng.Intn(30)) * time.Hour)
			switch {
			case age < 2*time.Hour && rng.Intn(2) == 0:
				c.Status = domain.StatusAssigned
			case age < 3*24*time.Hour && rng.Intn(3) == 0:
				c.Status, c.AckAt = domain.StatusAcknowledged, &ack
			case age < 90*24*time.Hour:
				c.Status, c.AckAt, c.RespondedAt = domain.StatusInService, &ack, &resp
			default:
				closed := resp.Add(time.Duration(3+rng.Intn(60)) * 24 * time.Hour)
				c.Status, c.AckAt, c.RespondedAt, c.ClosedAt = domain.StatusClosed, &ack, &resp, &closed
			}
			cs[i] = c
		}
		m, err := area.InsertSyntheticCases(ctx, access.System("generate"), start+done, cs)
		if err != nil {
			return inserted, err
		}
		inserted += m
		done += k
		if progress != nil {
			progress(done, n)
		}
	}
	return inserted, st.Optimize(ctx)
}

// villagesBelow lists the village codes below region ("" = all Indonesia).
func villagesBelow(ctx context.Context, st *store.Store, region string) ([]string, error) {
	var out []string
	var walk func(code string) error
	walk = func(code string) error {
		kids, err := st.SearchRegions(ctx, store.RegionQuery{Parent: code, Limit: 200})
		if err != nil {
			return err
		}
		for _, k := range kids {
			if k.Level == domain.LevelVillage {
				out = append(out, k.Code)
			} else if err := walk(k.Code); err != nil {
				return err
			}
		}
		return nil
	}
	if region != "" && domain.RegionLevelOf(region) == domain.LevelVillage {
		return []string{region}, nil
	}
	return out, walk(region)
}
