// Package regiondata ships Indonesia's administrative regions (provinces,
// regencies/cities, districts, villages with their Kemendagri codes) inside
// the binary and loads them into the store on first start.
//
// Data: npm package idn-area-data 3.1.2 by Fityan Nugroho
// (https://github.com/fityannugroho/idn-area-data), made available under the
// Open Database License (ODbL) 1.0; see data/LICENSE-ODbL.md.
package regiondata

import (
	"compress/gzip"
	"context"
	"embed"
	"encoding/csv"
	"fmt"
	"io"

	"lindu/internal/domain"
	"lindu/internal/store"
)

//go:embed data/*.csv.gz
var files embed.FS

// Attribution is shown in the README and the UI footer (ODbL 4.3).
const Attribution = "Data wilayah: idn-area-data 3.1.2 © Fityan Nugroho, ODbL 1.0"

// Source describes the data set.
const Source = "https://github.com/fityannugroho/idn-area-data"

// Expected counts of the shipped data set.
var Expected = map[domain.RegionLevel]int{
	domain.LevelProvince: 38,
	domain.LevelRegency:  514,
	domain.LevelDistrict: 7277,
	domain.LevelVillage:  83763,
}

// Total is the number of regions in the shipped data set.
func Total() int {
	n := 0
	for _, v := range Expected {
		n += v
	}
	return n
}

var levels = []struct {
	file  string
	level domain.RegionLevel
}{
	{"provinces", domain.LevelProvince},
	{"regencies", domain.LevelRegency},
	{"districts", domain.LevelDistrict},
	{"villages", domain.LevelVillage},
}

// Read streams every region, parents before children, to fn in batches.
// filter, when not "", keeps only that code, its ancestors and everything
// below it (tests load one province to stay fast).
func Read(filter string, batch int, fn func([]domain.Region) error) error {
	buf := make([]domain.Region, 0, batch)
	for _, l := range levels {
		f, err := files.Open("data/" + l.file + ".csv.gz")
		if err != nil {
			return err
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			_ = f.Close() // an embedded file: closing cannot fail
			return fmt.Errorf("regiondata: %s: %w", l.file, err)
		}
		err = readCSV(zr, l.level, func(r domain.Region) error {
			if filter != "" && !domain.RegionWithin(r.Code, filter) && !domain.RegionWithin(filter, r.Code) {
				return nil
			}
			buf = append(buf, r)
			if len(buf) == batch {
				if err := fn(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
			return nil
		})
		_ = f.Close() // an embedded file: closing cannot fail
		if err != nil {
			return fmt.Errorf("regiondata: %s: %w", l.file, err)
		}
	}
	if len(buf) > 0 {
		return fn(buf)
	}
	return nil
}

// readCSV parses one level's CSV: "code,parent_code,name" (provinces:
// "code,name"), checking every row.
func readCSV(r io.Reader, level domain.RegionLevel, fn func(domain.Region) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.LazyQuotes = true // Madurese names such as Soka"an carry a bare quote
	head, err := cr.Read()
	if err != nil {
		return err
	}
	want := 3
	if level == domain.LevelProvince {
		want = 2
	}
	if len(head) != want {
		return fmt.Errorf("header has %d columns, want %d", len(head), want)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		reg := domain.Region{Code: rec[0], Level: level, Name: rec[len(rec)-1]}
		if level > domain.LevelProvince {
			reg.ParentCode = rec[1]
		}
		if !domain.ValidRegionCode(reg.Code) || domain.RegionLevelOf(reg.Code) != level ||
			domain.ParentRegionCode(reg.Code) != reg.ParentCode || reg.Name == "" {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("line %d: bad row %q", line, rec)
		}
		if err := fn(reg); err != nil {
			return err
		}
	}
}

// Load writes the regions (all, or those under filter) in batches, calling
// progress after each batch with the number done and the total expected.
func Load(ctx context.Context, st *store.Store, filter string, progress func(done, total int)) (int, error) {
	total := Total()
	done := 0
	err := Read(filter, 5000, func(rs []domain.Region) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := st.RegionBatch(ctx, rs); err != nil {
			return err
		}
		done += len(rs)
		if progress != nil {
			progress(done, total)
		}
		return nil
	})
	return done, err
}
