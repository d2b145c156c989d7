package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Releases (vintages): the public page and the public exports show the
// last release of a region's year; later changes to the case records
// appear only in the next release, which lists the cells that changed.

// CellChange is one cell that differs from the previous release. Hidden:
// the cell is withheld in either release, so the public note counts it
// without its values.
type CellChange struct {
	Table    string `json:"table"`
	TitleKey string `json:"title_key"`
	Row      string `json:"row"`
	RowKey   string `json:"row_key,omitempty"`
	Year     int    `json:"year"`
	GroupKey string `json:"group_key"`
	Old      int64  `json:"old"`
	New      int64  `json:"new"`
	Hidden   bool   `json:"hidden,omitempty"`
}

// Release is a published release.
type Release struct {
	ID          string       `json:"id"`
	RegionCode  string       `json:"region_code"`
	Year        int          `json:"year"`
	Label       string       `json:"label"` // 2024-A
	PublishedAt time.Time    `json:"published_at"`
	PublishedBy string       `json:"published_by,omitempty"`
	Threshold   int          `json:"threshold"`
	Set         Set          `json:"set"` // as published (disclosure control applied)
	Changes     []CellChange `json:"changes"`
	Notes       []Check      `json:"notes"` // explained checks
	Previous    string       `json:"previous,omitempty"`
}

// seqLabel is A, B, ..., Z, AA, AB...
func seqLabel(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}

// Publish computes the region's statistics for year from the case
// records, checks them, applies disclosure control and stores them as the
// next release. A blocking check without an explanation refuses the
// release (EConflict, the checks in the message). Authorization:
// PermPublishStats within the region.
func (s *Service) Publish(ctx context.Context, sc domain.Scope, region string, year int) (Release, error) {
	if !sc.Can(domain.PermPublishStats) {
		return Release{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	if !sc.Contains(region) {
		return Release{}, domain.NotFound("region")
	}
	raw, err := s.compute(ctx, region, year)
	if err != nil {
		return Release{}, err
	}
	rule, err := s.Rule(ctx)
	if err != nil {
		return Release{}, err
	}
	var rel Release
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Serialize(ctx, "stats-release:"+region+":"+strconv.Itoa(year)); err != nil {
			return err
		}
		checks, err := s.checks(ctx, tx, &raw)
		if err != nil {
			return err
		}
		if open := unexplained(checks); len(open) > 0 {
			names := make([]string, len(open))
			for i, c := range open {
				names[i] = c.Key
			}
			return domain.E(domain.EConflict, "stats.err.unexplained", len(open), strings.Join(names, ", "))
		}
		var notes []Check
		for _, c := range checks {
			if c.Explanation != "" {
				notes = append(notes, c)
			}
		}
		pub := cloneSet(raw)
		Apply(&pub, rule)
		var seq int
		var prevID, prevRaw, prevPub string
		err = tx.QueryRowContext(ctx, `SELECT seq, id, tables_json, public_json FROM stat_releases WHERE region_code = $1 AND year = $2
			ORDER BY seq DESC LIMIT 1`, region, year).Scan(&seq, &prevID, &prevRaw, &prevPub)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("stats: previous release: %w", err)
		}
		var changes []CellChange
		if prevID != "" {
			var old, oldPub Set
			if err := json.Unmarshal([]byte(prevRaw), &old); err != nil {
				return fmt.Errorf("stats: previous release: %w", err)
			}
			if err := json.Unmarshal([]byte(prevPub), &oldPub); err != nil {
				return fmt.Errorf("stats: previous release: %w", err)
			}
			changes = diff(old, oldPub, raw, pub)
		}
		seq++
		rel = Release{ID: tx.NewID(), RegionCode: region, Year: year, Label: strconv.Itoa(year) + "-" + seqLabel(seq),
			PublishedAt: tx.Now(), PublishedBy: sc.Username, Threshold: rule.Threshold, Set: pub, Changes: changes, Notes: notes, Previous: prevID}
		rawJ, err := json.Marshal(raw)
		if err != nil {
			return fmt.Errorf("stats: release: %w", err)
		}
		pubJ, err := json.Marshal(pub)
		if err != nil {
			return fmt.Errorf("stats: release: %w", err)
		}
		chJ, err := json.Marshal(changes)
		if err != nil {
			return fmt.Errorf("stats: release: %w", err)
		}
		notesJ, err := json.Marshal(notes)
		if err != nil {
			return fmt.Errorf("stats: release: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_releases (id, region_code, year, seq, label, threshold, tables_json, public_json,
			changes_json, notes_json, published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			rel.ID, region, year, seq, rel.Label, rule.Threshold, string(rawJ), string(pubJ), string(chJ), string(notesJ), sc.Username, rel.PublishedAt); err != nil {
			return fmt.Errorf("stats: release: %w", err)
		}
		return tx.Audit(ctx, sc, "stats.publish", "stat_release", rel.ID, region, rel.Label)
	})
	return rel, err
}

// cloneSet deep-copies the cells of a set.
func cloneSet(s Set) Set {
	c := s
	c.Tables = make([]Table, len(s.Tables))
	for i, t := range s.Tables {
		c.Tables[i] = t
		c.Tables[i].Rows = make([]Row, len(t.Rows))
		for j, r := range t.Rows {
			c.Tables[i].Rows[j] = r
			c.Tables[i].Rows[j].Cells = append([]Cell(nil), r.Cells...)
		}
	}
	c.SLA = append([]SLA(nil), s.SLA...)
	return c
}

// diff lists the cells whose raw value changed between two releases.
func diff(old, oldPub, cur, curPub Set) []CellChange {
	type key struct {
		table, row string
		year       int
		group      string
	}
	index := func(s Set) map[key]Cell {
		m := map[key]Cell{}
		for _, t := range s.Tables {
			for _, r := range t.Rows {
				for yi, y := range t.Years {
					for gi, g := range t.Groups {
						m[key{t.ID, r.Key, y, g.Key}] = r.Cells[t.cellIndex(yi, gi)]
					}
				}
			}
		}
		return m
	}
	o, op, cp := index(old), index(oldPub), index(curPub)
	var out []CellChange
	for _, t := range cur.Tables {
		for _, r := range t.Rows {
			for yi, y := range t.Years {
				for gi, g := range t.Groups {
					k := key{t.ID, r.Key, y, g.Key}
					was, now := o[k], r.Cells[t.cellIndex(yi, gi)]
					if was.V == now.V {
						continue
					}
					c := CellChange{Table: t.ID, TitleKey: t.TitleKey, Row: r.Label, RowKey: r.LabelKey, Year: y, GroupKey: g.LabelKey,
						Old: was.V, New: now.V, Hidden: op[k].Hidden || cp[k].Hidden}
					if c.Row == "" {
						c.Row = r.Key
					}
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Public returns a release as the public may see it: the changed cells of
// withheld values lose their values. The raw figures never leave the
// store through it.
func (r Release) Public() Release {
	p := r
	p.PublishedBy = ""
	p.Changes = nil
	for _, c := range r.Changes {
		if c.Hidden {
			c.Old, c.New = 0, 0
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}

// Latest returns the last release of region's year (year 0: of the latest
// year released), ENotFound when there is none. Anyone may call it: a
// release is public.
func (s *Service) Latest(ctx context.Context, region string, year int) (Release, error) {
	q := `SELECT id, region_code, year, label, threshold, public_json, changes_json, notes_json, published_at FROM stat_releases
		WHERE region_code = $1`
	args := []any{region}
	if year > 0 {
		q += ` AND year = $2`
		args = append(args, year)
	}
	q += ` ORDER BY year DESC, seq DESC LIMIT 1`
	return s.release(ctx, q, args...)
}

// ReleaseByLabel returns one release of a region ("2024-A"). Anyone may
// call it.
func (s *Service) ReleaseByLabel(ctx context.Context, region, label string) (Release, error) {
	return s.release(ctx, `SELECT id, region_code, year, label, threshold, public_json, changes_json, notes_json, published_at
		FROM stat_releases WHERE region_code = $1 AND label = $2`, region, label)
}

func (s *Service) release(ctx context.Context, q string, args ...any) (Release, error) {
	var r Release
	var pub, ch, notes string
	err := s.st.QueryRowContext(ctx, q, args...).Scan(&r.ID, &r.RegionCode, &r.Year, &r.Label, &r.Threshold, &pub, &ch, &notes, &r.PublishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Release{}, domain.NotFound("release")
	}
	if err != nil {
		return Release{}, fmt.Errorf("stats: release: %w", err)
	}
	r.PublishedAt = r.PublishedAt.UTC()
	if err := json.Unmarshal([]byte(pub), &r.Set); err != nil {
		return Release{}, fmt.Errorf("stats: release: %w", err)
	}
	if err := json.Unmarshal([]byte(ch), &r.Changes); err != nil {
		return Release{}, fmt.Errorf("stats: release: %w", err)
	}
	if err := json.Unmarshal([]byte(notes), &r.Notes); err != nil {
		return Release{}, fmt.Errorf("stats: release: %w", err)
	}
	return r.Public(), nil
}

// ReleaseInfo is one line of the list of releases.
type ReleaseInfo struct {
	Label       string    `json:"label"`
	Year        int       `json:"year"`
	PublishedAt time.Time `json:"published_at"`
	Changes     int       `json:"changes"`
}

// Releases lists the releases of a region, newest first. Anyone may call
// it.
func (s *Service) Releases(ctx context.Context, region string) ([]ReleaseInfo, error) {
	out, err := store.Rows(ctx, s.st, func(r *sql.Rows) (ReleaseInfo, error) {
		var i ReleaseInfo
		var ch string
		if err := r.Scan(&i.Label, &i.Year, &i.PublishedAt, &ch); err != nil {
			return i, err
		}
		var cs []CellChange
		if err := json.Unmarshal([]byte(ch), &cs); err != nil {
			return i, err
		}
		i.Changes, i.PublishedAt = len(cs), i.PublishedAt.UTC()
		return i, nil
	}, `SELECT label, year, published_at, changes_json FROM stat_releases WHERE region_code = $1 ORDER BY year DESC, seq DESC`, region)
	if err != nil {
		return nil, fmt.Errorf("stats: releases: %w", err)
	}
	return out, nil
}
