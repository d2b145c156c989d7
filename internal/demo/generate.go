package demo

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
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
	village, district, err := generatedTeams(ctx, area, st, codes)
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
			c.TeamID, c.SupportTeamID = village[c.RegionCode], district[domain.ParentRegionCode(c.RegionCode)]
			c.Channel = pickChannel(rng)
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
		// Reports still waiting for triage: those of the last day an
		// office has not got to yet, one for every 1,250 cases of a batch,
		// at least one (160 in 200,000 cases over two years).
		news := make([]cases.SyntheticReport, (k+newReportEvery-1)/newReportEvery)
		for i := range news {
			news[i] = cases.SyntheticReport{RegionCode: codes[rng.Intn(len(codes))], Channel: pickChannel(rng),
				Description: fmt.Sprintf("Laporan sintetis untuk uji beban #%d", start+done+i),
				ReceivedAt:  end.Add(-time.Duration(rng.Int63n(int64(24 * time.Hour)))).Truncate(time.Second)}
		}
		m, err := area.InsertSyntheticCases(ctx, access.System("generate"), start+done, cs, news)
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

// newReportEvery is how many generated cases there are for each generated
// report still waiting for triage.
const newReportEvery = 1250

// pickChannel is how a generated report arrived: half on the web, the
// rest by SMS, WhatsApp and other systems (the API).
func pickChannel(rng *rand.Rand) domain.Channel {
	switch n := rng.Intn(20); {
	case n < 10:
		return domain.ChannelWeb
	case n < 15:
		return domain.ChannelSMS
	case n < 19:
		return domain.ChannelWhatsApp
	default:
		return domain.ChannelAPI
	}
}

// generatedTeams makes sure every village of codes has a taskforce and
// every district above them a team, as an office's routing has them (the
// demo names them so too), and returns their ids by region code; teams
// already there (an earlier run) are kept. They have no members: the
// generated cases are routed to them, not assigned to anyone.
func generatedTeams(ctx context.Context, area *cases.Service, st *store.Store, codes []string) (village, district map[string]string, err error) {
	sys := access.System("generate")
	existing, err := area.TeamChoices(ctx, sys)
	if err != nil {
		return nil, nil, err
	}
	village, district = map[string]string{}, map[string]string{}
	for _, t := range existing {
		switch t.Kind {
		case "village_taskforce":
			village[t.RegionCode] = t.ID
		case "district_team":
			district[t.RegionCode] = t.ID
		}
	}
	want := map[string]bool{}
	for _, c := range codes {
		want[c], want[domain.ParentRegionCode(c)] = true, true
	}
	var all []string
	for c := range want {
		all = append(all, c)
	}
	slices.Sort(all)
	names, err := st.RegionNames(ctx, all)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range all {
		byKind, kind, name := village, "village_taskforce", "Satgas PPA Desa "+names[c]
		if domain.RegionLevelOf(c) != domain.LevelVillage {
			byKind, kind, name = district, "district_team", "TRC Kecamatan "+names[c]
		}
		if byKind[c] != "" {
			continue
		}
		t, err := area.CreateTeam(ctx, sys, domain.Team{Name: name, Kind: kind, RegionCode: c})
		if err != nil {
			return nil, nil, fmt.Errorf("demo: team for %s: %w", c, err)
		}
		byKind[c] = t.ID
	}
	return village, district, nil
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
