package kla

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The value form (/kla/isi): one line per indicator of the operator's
// agency for a region and year, each with a value, an evidence note, link
// or file. The whole form is saved or, when any line is wrong, nothing.

// EntryRow is one indicator's line of the value form as the user sent it.
type EntryRow struct {
	IndicatorID string
	Value       string // as typed (read by ParseNumber); "" leaves the indicator as it is
	Note, Link  string
	File        *NewFile // a new evidence file; nil when none was chosen
}

// SaveEntry saves the value form of region and year under regime. Lines
// without a value are left alone, and so are lines whose value, note and
// link are unchanged and that bring no new file; a line keeps its evidence
// file unless a new one comes. Every line is checked first (the number as
// ParseNumber reads it, an evidence file without a value or over MaxFile,
// then PutValues' checks); when any is wrong nothing is saved and the
// error is a *ValuesError (wrapped in a coded invalid error) whose Rows are
// indexed like rows. New evidence files are written in the transaction of
// the values, after the checks: a refused form leaves no file behind. It
// returns how many values were saved. Authorization as PutValues.
func SaveEntry(ctx context.Context, st *store.Store, sc domain.Scope, regime, region string, year int, rows []EntryRow) (int, error) {
	if !sc.Can(domain.PermEnterKLA) {
		return 0, forbidden("kla.err.enter_forbidden")
	}
	cur, err := ListValues(ctx, st, sc, ValueFilter{Regime: regime, RegionCode: region, Year: year, Limit: 5000})
	if err != nil {
		return 0, err
	}
	current := make(map[string]domain.KLAValue, len(cur))
	for _, v := range cur {
		current[v.IndicatorID] = v
	}
	bad := map[int]domain.Msg{}
	var in []domain.KLAValueInput
	var files []*NewFile
	var idx []int // the form line of each input
	for i, row := range rows {
		v, m, changed := entryValue(row, region, year, current)
		if m.Key != "" {
			bad[i] = m
			continue
		}
		if !changed {
			continue
		}
		in = append(in, v)
		files = append(files, row.File)
		idx = append(idx, i)
	}
	if len(in) > 0 {
		checked, err := CheckValues(ctx, st, sc, regime, in)
		if err != nil {
			return 0, err
		}
		for n, m := range checked {
			bad[idx[n]] = m
		}
	}
	if len(bad) > 0 {
		e := &ValuesError{Rows: bad}
		return 0, fmt.Errorf("%w: %w", e.Coded(), e)
	}
	if len(in) == 0 {
		return 0, nil
	}
	err = PutValuesWithFiles(ctx, st, sc, regime, in, files)
	if ve := (*ValuesError)(nil); errors.As(err, &ve) {
		// Changed since the check (another user, a region removed): report
		// it on the form's lines.
		byLine := map[int]domain.Msg{}
		for n, m := range ve.Rows {
			byLine[idx[n]] = m
		}
		e := &ValuesError{Rows: byLine}
		return 0, fmt.Errorf("%w: %w", e.Coded(), e)
	}
	if err != nil {
		return 0, err
	}
	return len(in), nil
}

// entryValue reads one line of the form: the input to save, what is wrong
// with the line (a zero Msg when nothing), and whether there is anything
// to save.
func entryValue(row EntryRow, region string, year int, current map[string]domain.KLAValue) (domain.KLAValueInput, domain.Msg, bool) {
	raw := strings.TrimSpace(row.Value)
	note, link := strings.TrimSpace(row.Note), strings.TrimSpace(row.Link)
	if row.File != nil && fileTooLarge(row.File.Data) {
		return domain.KLAValueInput{}, domain.M("kla.file_error"), false
	}
	if raw == "" {
		if row.File != nil {
			return domain.KLAValueInput{}, domain.M("kla.file_needs_value"), false
		}
		return domain.KLAValueInput{}, domain.Msg{}, false
	}
	v, err := ParseNumber(raw)
	if err != nil {
		return domain.KLAValueInput{}, domain.M("kla.not_number"), false
	}
	in := domain.KLAValueInput{IndicatorID: row.IndicatorID, RegionCode: region, Year: year, Value: v, Note: note, Link: link}
	c, ok := current[row.IndicatorID]
	if ok && c.SelfValue != nil && *c.SelfValue == v && c.Note == note && c.Link == link && row.File == nil {
		return in, domain.Msg{}, false
	}
	if ok && row.File == nil {
		in.FileID = c.FileID
	}
	return in, domain.Msg{}, true
}
