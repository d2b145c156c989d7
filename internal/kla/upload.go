package kla

import (
	"context"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
)

// Uploaded files (a filled-in value template, a catalogue): read as a
// table within the upload limits; every bad row is reported with its line
// and the reasons, as message keys.

// RowError is one bad row of an uploaded file.
type RowError struct {
	Line    int          `json:"line"` // 1-based line (CSV) or row (XLSX) in the file; 0 for the file as a whole
	Reasons []domain.Msg `json:"reasons"`
}

// rowError builds a RowError with one reason.
func rowError(line int, key string, args ...any) RowError {
	return RowError{Line: line, Reasons: []domain.Msg{domain.M(key, args...)}}
}

// RowErrors is the error of an import with bad rows; nothing was written.
type RowErrors []RowError

// Error lists the first rows by their message keys (for logs; users read
// the texts of the keys).
func (e RowErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows rejected, nothing imported", len(e))
	for i, r := range e {
		if i == 5 {
			b.WriteString("; ...")
			break
		}
		keys := make([]string, len(r.Reasons))
		for k, m := range r.Reasons {
			keys[k] = m.Key
		}
		fmt.Fprintf(&b, "; line %d: %s", r.Line, strings.Join(keys, ", "))
	}
	return b.String()
}

// MaxRows bounds an uploaded file.
const MaxRows = 20000

// Table is an uploaded file as rows of cells, with the line of each row.
type Table struct {
	Header []string
	Rows   [][]string
	Lines  []int
}

// ReadTable reads CSV (comma or semicolon, as Excel writes in Indonesia)
// or XLSX (first sheet) by the file name's extension or content, within
// spreadsheet.DefaultLimits (size, rows, cells, time): a file that breaks
// one answers a *spreadsheet.Error, a malformed one another error.
// Pure: anyone may call it.
func ReadTable(ctx context.Context, data []byte, name string) (Table, error) {
	var t Table
	err := spreadsheet.Read(ctx, data, name, spreadsheet.DefaultLimits, func(r spreadsheet.Row) error {
		if blank(r.Cells) {
			return nil
		}
		if t.Header == nil {
			t.Header = normHeader(r.Cells)
			return nil
		}
		if len(t.Rows) >= MaxRows {
			return &spreadsheet.Error{Key: "too_many_rows", Limit: MaxRows}
		}
		t.Rows = append(t.Rows, r.Cells)
		t.Lines = append(t.Lines, r.Line)
		return nil
	})
	if err != nil {
		return Table{}, err
	}
	if t.Header == nil {
		return Table{}, domain.E(domain.EInvalid, "kla.row.empty_file")
	}
	return t, nil
}

// readUploaded is ReadTable for an import: a broken limit stays a
// *spreadsheet.Error, a file that cannot be read becomes a row error of
// the whole file naming its format.
func readUploaded(ctx context.Context, data []byte, name string) (Table, error) {
	t, err := ReadTable(ctx, data, name)
	if _, ok := spreadsheet.AsError(err); ok || err == nil {
		return t, err
	}
	if e, ok := domain.AsError(err); ok && e.Key != "" {
		return t, RowErrors{rowError(1, e.Key)}
	}
	if spreadsheet.IsXLSX(data, name) {
		return t, RowErrors{rowError(1, "kla.row.bad_xlsx")}
	}
	return t, RowErrors{rowError(1, "kla.row.bad_csv")}
}

// normHeader reads column names without case, surrounding space or the
// difference between "kode_wilayah", "Kode wilayah" and "kode  wilayah".
func normHeader(rec []string) []string {
	out := make([]string, len(rec))
	for i, h := range rec {
		out[i] = normName(h)
	}
	return out
}

func normName(h string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.ToLower(h), "_", " ")), " ")
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// col returns the index of the first of names (in order of preference)
// among the columns, or -1.
func (t Table) col(names ...string) int {
	for _, n := range names {
		n = normName(n)
		for i, h := range t.Header {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// cell returns a cell without surrounding space and without the quote
// lindu's CSV export puts before a leading = + - @ (so "'-3.5" is -3.5).
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(spreadsheet.UnquoteCell(strings.TrimSpace(rec[i])))
}

// clip shortens a cell quoted in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
