package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
)

// triggers are the characters that make a spreadsheet program read a
// cell as a formula (or, for tab and carriage return, hide one), per
// OWASP's "CSV Injection" advice.
const triggers = "=+-@\t\r"

// plainNumber matches a number as lindu writes it (strconv's 'f' or 'g'
// format): it cannot be a formula, so it is written as is and a negative
// value stays a number in the spreadsheet.
var plainNumber = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// SafeCell defuses a cell of a CSV lindu writes: a cell that starts with
// = + - @, a tab or a carriage return gets a leading single quote, so
// Excel and LibreOffice show it as text instead of running it
// ("-2+3+cmd|' /C calc'!A0"). A cell that is entirely a plain number
// ("-3.5", "1e-7") is left alone. Every CSV writer uses it (WriteCSV,
// WriteTableCSV).
func SafeCell(s string) string {
	if s == "" || !strings.ContainsRune(triggers, rune(s[0])) || plainNumber.MatchString(s) {
		return s
	}
	return "'" + s
}

// UnquoteCell undoes SafeCell on a cell read back from an upload: a
// leading single quote before one of the trigger characters is dropped,
// so a defused template ("'-3.5", "'=note") imports what it showed.
func UnquoteCell(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune(triggers, rune(s[1])) {
		return s[1:]
	}
	return s
}

// WriteCSV writes a header and rows as CSV, UTF-8 with a BOM (so Excel
// reads the encoding right), every cell through SafeCell.
func WriteCSV(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbf")
	w := csv.NewWriter(&b)
	safe := func(r []string) []string {
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = SafeCell(c)
		}
		return out
	}
	// Writes to memory with the default separator: csv.Writer reports no
	// error for that (only a failing writer or a bad Comma would).
	_ = w.Write(safe(header))
	for _, r := range rows {
		_ = w.Write(safe(r))
	}
	w.Flush()
	return b.Bytes()
}
