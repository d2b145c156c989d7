// Package spreadsheet reads the CSV and XLSX files users upload and writes
// the CSV and XLSX files they download (table.go: one writer for every
// table). Reading is bounded: an upload is outside
// input (any OPD operator may send one), so every parse has limits on the
// decompressed size of each zip entry and of all of them, the number of
// entries, rows, cells and the time spent, and never holds more than the
// limits allow in memory (the sheet XML is streamed). Writing defuses
// spreadsheet formulas in every cell (CSV injection) through one function,
// SafeCell.
package spreadsheet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Limits bound the parse of one uploaded file.
type Limits struct {
	MaxFileBytes   int64         // the uploaded file itself
	MaxEntries     int           // entries in an XLSX (zip) archive
	MaxEntryBytes  int64         // decompressed size of one zip entry that is read
	MaxTotalBytes  int64         // decompressed size of all entries, declared and read
	MaxSharedBytes int64         // decompressed size of the shared strings (held in memory)
	MaxRows        int           // rows, blank ones included
	MaxColumns     int           // cells in one row (highest column)
	MaxCells       int           // cells in the whole sheet
	MaxCellBytes   int           // length of one cell
	MaxTokens      int           // XML tokens of all parts (encoding/xml does about 1-3 million a second)
	Timeout        time.Duration // time for the whole parse
}

// DefaultLimits suit the KLA template and catalogue: a few hundred to a
// few thousand rows of about ten columns. A legitimate 20,000-row template
// is about 3 MiB of sheet XML.
var DefaultLimits = Limits{
	MaxFileBytes:   5 << 20,
	MaxEntries:     200,
	MaxEntryBytes:  40 << 20,
	MaxTotalBytes:  64 << 20,
	MaxSharedBytes: 16 << 20,
	MaxRows:        50_000,
	MaxColumns:     100,
	MaxCells:       250_000,
	MaxCellBytes:   32 << 10,  // Excel's own limit is 32,767 characters
	MaxTokens:      3_000_000, // a cell is 4-8 tokens: a full 20,000 x 8 template is about 1.3 million
	Timeout:        10 * time.Second,
}

// Error is an upload refused for breaking a limit. Key names the message
// ("kla.upload_<key>" in the UI catalogue) and Limit is the bound broken,
// shown to the user.
type Error struct {
	Key   string
	Limit int64
}

// Keys of Error, each with a message in both languages.
var ErrorKeys = []string{"file_too_large", "too_many_entries", "entry_too_large", "too_many_rows",
	"too_many_columns", "too_many_cells", "cell_too_long", "too_complex", "timeout"}

func (e *Error) Error() string {
	return fmt.Sprintf("spreadsheet: upload refused: %s (limit %d)", strings.ReplaceAll(e.Key, "_", " "), e.Limit)
}

// LimitText is the limit as the user reads it: MiB for sizes, seconds for
// time, a count otherwise.
func (e *Error) LimitText() string {
	switch e.Key {
	case "file_too_large", "entry_too_large":
		return fmt.Sprintf("%d MiB", e.Limit>>20)
	case "cell_too_long":
		return fmt.Sprintf("%d", e.Limit)
	case "timeout":
		return fmt.Sprintf("%d s", e.Limit)
	}
	return fmt.Sprintf("%d", e.Limit)
}

// AsError returns the limit error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Row is one row read: its 1-based line (CSV) or row number (XLSX) and
// its cells. Cells may be shorter than the header.
type Row struct {
	Line  int
	Cells []string
}

// IsXLSX tells an XLSX upload from CSV by content or name.
func IsXLSX(data []byte, name string) bool {
	return strings.HasPrefix(string(data[:min(len(data), 4)]), "PK\x03\x04") || strings.HasSuffix(strings.ToLower(name), ".xlsx")
}

// Read reads an uploaded CSV (comma or semicolon separated, UTF-8 with or
// without a BOM) or XLSX (the first sheet) and calls fn with every row in
// order; an error from fn stops the read and is returned. A broken limit
// is an *Error; a malformed file another error whose text says what is
// wrong.
func Read(ctx context.Context, data []byte, name string, lim Limits, fn func(Row) error) error {
	if int64(len(data)) > lim.MaxFileBytes {
		return &Error{Key: "file_too_large", Limit: lim.MaxFileBytes}
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	c := counter{ctx: ctx, lim: lim}
	if IsXLSX(data, name) {
		return readXLSX(&c, data, fn)
	}
	return readCSV(&c, data, fn)
}

// counter enforces the row, cell and time limits while a file is read.
type counter struct {
	ctx   context.Context
	lim   Limits
	rows  int
	cells int
	ticks int
}

// tick counts one XML token (or CSV row) and checks the deadline every
// 1,024 calls.
func (c *counter) tick() error {
	c.ticks++
	if c.lim.MaxTokens > 0 && c.ticks > c.lim.MaxTokens {
		return &Error{Key: "too_complex", Limit: int64(c.lim.MaxTokens)}
	}
	if c.ticks&1023 == 0 {
		return c.checkTime()
	}
	return nil
}

func (c *counter) checkTime() error {
	if c.ctx.Err() != nil {
		return &Error{Key: "timeout", Limit: int64(c.lim.Timeout / time.Second)}
	}
	return nil
}

// row counts one row of n cells whose longest cell is long bytes.
func (c *counter) row(n, long int) error {
	c.rows++
	c.cells += n
	switch {
	case c.rows > c.lim.MaxRows:
		return &Error{Key: "too_many_rows", Limit: int64(c.lim.MaxRows)}
	case n > c.lim.MaxColumns:
		return &Error{Key: "too_many_columns", Limit: int64(c.lim.MaxColumns)}
	case c.cells > c.lim.MaxCells:
		return &Error{Key: "too_many_cells", Limit: int64(c.lim.MaxCells)}
	case long > c.lim.MaxCellBytes:
		return &Error{Key: "cell_too_long", Limit: int64(c.lim.MaxCellBytes)}
	}
	return c.tick()
}
