package spreadsheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
)

// An XLSX file is a zip archive of XML parts. Only three are read: the
// workbook (which sheet is first), its relationships (where that sheet
// is) and the shared strings; then the first sheet is streamed row by
// row. Every part is read through a limited reader that counts the bytes
// actually decompressed (the size an entry declares may lie), and every
// XML token passes the deadline check.

// maxDepth bounds XML nesting (a real sheet nests about five deep).
const maxDepth = 64

type xlsxFile struct {
	c     *counter
	files map[string]*zip.File
	read  int64 // bytes decompressed so far, all parts
}

func readXLSX(c *counter, data []byte, fn func(Row) error) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("XLSX: %v", err)
	}
	if len(zr.File) > c.lim.MaxEntries {
		return &Error{Key: "too_many_entries", Limit: int64(c.lim.MaxEntries)}
	}
	x := &xlsxFile{c: c, files: map[string]*zip.File{}}
	var declared uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > uint64(c.lim.MaxEntryBytes) {
			return &Error{Key: "entry_too_large", Limit: c.lim.MaxEntryBytes}
		}
		if declared += f.UncompressedSize64; declared > uint64(c.lim.MaxTotalBytes) {
			return &Error{Key: "entry_too_large", Limit: c.lim.MaxTotalBytes}
		}
		x.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	sheet, shared, err := x.locate()
	if err != nil {
		return err
	}
	var strs []string
	if shared != "" {
		if strs, err = x.sharedStrings(shared); err != nil {
			return err
		}
	}
	return x.sheet(sheet, strs, fn)
}

// open returns a decoder over a part, reading at most limit decompressed
// bytes of it (and no more than the total limit left).
func (x *xlsxFile) open(name string, limit int64) (*xml.Decoder, func(), error) {
	f, ok := x.files[name]
	if !ok {
		return nil, nil, fmt.Errorf("XLSX: %s is missing", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("XLSX: %v", err)
	}
	lr := &limitedReader{r: rc, left: min(limit, x.c.lim.MaxTotalBytes-x.read), x: x,
		err: &Error{Key: "entry_too_large", Limit: min(limit, x.c.lim.MaxTotalBytes)}}
	d := xml.NewDecoder(lr)
	return d, func() { rc.Close() }, nil
}

// limitedReader reads at most left bytes, then fails with err: unlike
// io.LimitReader it does not pretend the part ended there.
type limitedReader struct {
	r    io.Reader
	left int64
	x    *xlsxFile
	err  error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a part that ends exactly at the limit from
		// one that goes on.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, l.err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.x.read += int64(n)
	if err := l.x.c.checkTime(); err != nil {
		return n, err
	}
	return n, err
}

// token returns the next token, enforcing the deadline and nesting depth.
func (x *xlsxFile) token(d *xml.Decoder, depth *int) (xml.Token, error) {
	if err := x.c.tick(); err != nil {
		return nil, err
	}
	t, err := d.Token()
	if err != nil {
		var le *Error
		if errors.As(err, &le) {
			return nil, le
		}
		if err == io.EOF {
			return nil, err
		}
		return nil, fmt.Errorf("XLSX: %v", err)
	}
	switch t.(type) {
	case xml.StartElement:
		if *depth++; *depth > maxDepth {
			return nil, errors.New("XLSX: XML nested too deep")
		}
	case xml.EndElement:
		*depth--
	}
	return t, nil
}

// locate finds the first sheet and the shared strings through the
// workbook and its relationships; files without them (some writers)
// fall back to the usual names.
func (x *xlsxFile) locate() (sheet, shared string, err error) {
	sheet, shared = "xl/worksheets/sheet1.xml", ""
	if _, ok := x.files["xl/sharedStrings.xml"]; ok {
		shared = "xl/sharedStrings.xml"
	}
	if _, ok := x.files["xl/workbook.xml"]; !ok {
		return sheet, shared, nil
	}
	const small = 1 << 20
	firstID := ""
	if err := x.walk("xl/workbook.xml", small, func(se xml.StartElement) {
		if se.Name.Local == "sheet" && firstID == "" {
			for _, a := range se.Attr {
				if a.Name.Local == "id" && strings.Contains(a.Name.Space, "relationships") {
					firstID = a.Value
				}
			}
		}
	}); err != nil {
		return "", "", err
	}
	if _, ok := x.files["xl/_rels/workbook.xml.rels"]; !ok || firstID == "" {
		return sheet, shared, nil
	}
	err = x.walk("xl/_rels/workbook.xml.rels", small, func(se xml.StartElement) {
		if se.Name.Local != "Relationship" {
			return
		}
		var id, typ, target string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				id = a.Value
			case "Type":
				typ = a.Value
			case "Target":
				target = a.Value
			}
		}
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join("xl", target)
		}
		switch {
		case id == firstID:
			sheet = target
		case strings.HasSuffix(typ, "/sharedStrings"):
			shared = target
		}
	})
	return sheet, shared, err
}

// walk calls fn with every start element of a small part.
func (x *xlsxFile) walk(name string, limit int64, fn func(xml.StartElement)) error {
	d, done, err := x.open(name, limit)
	if err != nil {
		return err
	}
	defer done()
	depth := 0
	for {
		t, err := x.token(d, &depth)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := t.(xml.StartElement); ok {
			fn(se)
		}
	}
}

// sharedStrings reads the shared string table: the text of each <si>
// (its <t> runs, without phonetic <rPh> hints).
func (x *xlsxFile) sharedStrings(name string) ([]string, error) {
	d, done, err := x.open(name, x.c.lim.MaxSharedBytes)
	if err != nil {
		return nil, err
	}
	defer done()
	var out []string
	var b strings.Builder
	in, inT, inPh, depth := false, false, 0, 0
	for {
		t, err := x.token(d, &depth)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				in = true
				b.Reset()
			case "rPh":
				inPh++
			case "t":
				inT = in && inPh == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if len(out) >= x.c.lim.MaxCells {
					return nil, &Error{Key: "too_many_cells", Limit: int64(x.c.lim.MaxCells)}
				}
				out = append(out, b.String())
				in = false
			case "rPh":
				inPh--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				if b.Len()+len(t) > x.c.lim.MaxCellBytes {
					return nil, &Error{Key: "cell_too_long", Limit: int64(x.c.lim.MaxCellBytes)}
				}
				b.Write(t)
			}
		}
	}
}

// sheet streams the rows of a worksheet to fn. Cells are placed by their
// reference (B3 is the second cell of its row), so skipped cells are
// empty strings; rows keep their number as line.
func (x *xlsxFile) sheet(name string, strs []string, fn func(Row) error) error {
	d, done, err := x.open(name, x.c.lim.MaxEntryBytes)
	if err != nil {
		return err
	}
	defer done()
	s := &sheetReader{x: x, strs: strs, fn: fn}
	depth := 0
	for {
		t, err := x.token(d, &depth)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			err = s.start(t)
		case xml.EndElement:
			err = s.end(t)
		case xml.CharData:
			err = s.text(t)
		}
		if err != nil {
			return err
		}
	}
}

// sheetReader is where sheet is in a worksheet: the row being read, its
// cells so far, and the cell whose value is being read.
type sheetReader struct {
	x                      *xlsxFile
	strs                   []string // shared strings
	fn                     func(Row) error
	rowNum, col            int
	cells                  []string
	inRow, inCell, inValue bool
	typ                    string // the cell's t attribute
	val                    strings.Builder
	long                   int // longest cell of the row
}

func (s *sheetReader) start(t xml.StartElement) error {
	switch t.Name.Local {
	case "row":
		n := s.rowNum + 1
		if r := attr(t, "r"); r != "" {
			var err error
			if n, err = strconv.Atoi(r); err != nil || n <= s.rowNum {
				return fmt.Errorf("XLSX: bad row number %q", clip(r))
			}
		}
		s.rowNum, s.col, s.cells, s.inRow, s.long = n, 0, s.cells[:0], true, 0
	case "c":
		if !s.inRow {
			return errors.New("XLSX: cell outside a row")
		}
		n := s.col + 1
		if r := attr(t, "r"); r != "" {
			if n = columnOf(r); n <= s.col {
				return fmt.Errorf("XLSX: bad cell reference %q", clip(r))
			}
		}
		if n > s.x.c.lim.MaxColumns {
			return &Error{Key: "too_many_columns", Limit: int64(s.x.c.lim.MaxColumns)}
		}
		for len(s.cells) < n-1 {
			s.cells = append(s.cells, "")
		}
		s.col, s.typ, s.inCell = n, attr(t, "t"), true
		s.val.Reset()
	case "v", "t":
		s.inValue = s.inCell
	}
	return nil
}

func (s *sheetReader) end(t xml.EndElement) error {
	switch t.Name.Local {
	case "row":
		if err := s.x.c.row(len(s.cells), s.long); err != nil {
			return err
		}
		if err := s.fn(Row{Line: s.rowNum, Cells: append([]string(nil), s.cells...)}); err != nil {
			return err
		}
		s.inRow = false
	case "c":
		v, err := cellValue(s.typ, s.val.String(), s.strs)
		if err != nil {
			return err
		}
		s.cells = append(s.cells, v)
		s.long = max(s.long, len(v))
		s.inCell = false
	case "v", "t":
		s.inValue = false
	}
	return nil
}

func (s *sheetReader) text(t xml.CharData) error {
	if !s.inValue {
		return nil
	}
	if s.val.Len()+len(t) > s.x.c.lim.MaxCellBytes {
		return &Error{Key: "cell_too_long", Limit: int64(s.x.c.lim.MaxCellBytes)}
	}
	s.val.Write(t)
	return nil
}

// cellValue is a cell's text as a user sees it in a General cell: shared
// and inline strings as written, booleans TRUE/FALSE, numbers with at
// most 15 significant digits (as Excel shows them).
func cellValue(typ, v string, strs []string) (string, error) {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(strs) {
			return "", fmt.Errorf("XLSX: bad shared string %q", clip(v))
		}
		return strs[i], nil
	case "b":
		if strings.TrimSpace(v) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	case "", "n":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return v, nil
		}
		f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	return v, nil // str (formula result), inlineStr, e (error), d (date text)
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// columnOf returns the 1-based column of a reference like "AB12", or 0.
func columnOf(ref string) int {
	n := 0
	for i := 0; i < len(ref); i++ {
		ch := ref[i] | 0x20 // lower case
		if ch < 'a' || ch > 'z' {
			break
		}
		if n = n*26 + int(ch-'a') + 1; n > 1<<20 {
			return 0
		}
	}
	return n
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
