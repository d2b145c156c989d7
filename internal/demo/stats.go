package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/stats"
	"lindu/internal/store"
)

// StatsResult counts what LoadStats wrote.
type StatsResult struct {
	Release    string
	Mismatches int
}

// demoHistorical is a synthetic historical table of Bengkayang in the
// layout DinsosPPPA offices publish (P/A by category, two years, the
// stated change), with the kind of errors such tables carry: 2021's
// physical row does not add up and 2022's total of children is wrong.
const demoHistorical = `judul;Kekerasan terhadap perempuan dan anak menurut jenis (data sintetis)
wilayah;61.07
satuan;kasus
sumber;DinsosPPPA Kabupaten Bengkayang (contoh)
kategori;2021 P;2021 A;2021 jumlah;2022 P;2022 A;2022 jumlah;perubahan jumlah;perubahan jumlah %
Fisik;6;31;35;5;27;32;;
Non fisik;2;9;11;3;11;14;;
KDRT;9;1;10;8;2;10;;
Kekerasan seksual;1;17;18;2;19;21;;
Anak berhadapan hukum;0;7;7;0;9;9;;
Jumlah;18;65;81;18;70;86;5;6,2
`

// LoadStats publishes the statistics release of last year for the demo
// regency (explaining the year-on-year checks the demo's generated cases
// raise) and imports a synthetic historical table with its mismatches.
// Call it after the demo cases. It returns what it wrote.
func LoadStats(ctx context.Context, st *store.Store, region string) (StatsResult, error) {
	var res StatsResult
	sys := access.System("demo")
	sv := stats.New(st)
	year := time.Now().In(domain.ZoneFor(region)).Year() - 1
	checks, err := sv.Checks(ctx, sys, region, year)
	if err != nil {
		return res, fmt.Errorf("demo stats: checks: %w", err)
	}
	for _, c := range checks {
		if c.Blocking && c.Explanation == "" {
			if err := sv.Explain(ctx, sys, region, year, c.Key, "Data demo: kasus sintetis hanya dibuat untuk dua tahun terakhir."); err != nil {
				return res, fmt.Errorf("demo stats: explain: %w", err)
			}
		}
	}
	rel, err := sv.Publish(ctx, sys, region, year)
	if err != nil {
		return res, fmt.Errorf("demo stats: publish: %w", err)
	}
	res.Release = rel.Label
	p, err := sv.AcceptHist(ctx, sys, []byte(strings.ReplaceAll(demoHistorical, "61.07", region)), "bengkayang-2021-2022.csv")
	if err != nil {
		return res, fmt.Errorf("demo stats: historical table: %w", err)
	}
	res.Mismatches = len(p.View.Checks)
	return res, nil
}
