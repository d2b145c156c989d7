// Package spreadsheettest builds hostile uploads for tests and load
// tools: XLSX zip bombs, generated at run time (never checked in).
package spreadsheettest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
)

// Header is the header row of the KLA bulk-entry template.
var Header = []string{"indicator", "region_code", "year", "value", "note", "link", "name", "unit"}

// row is one repeated data row: the same cells over and over compress to
// almost nothing.
const row = `<row><c t="inlineStr"><is><t>11</t></is></c><c t="inlineStr"><is><t>61.07</t></is></c><c><v>2025</v></c><c><v>0</v></c><c t="inlineStr"><is><t>0000000000000000000000000000000000000000</t></is></c></row>`

// parts are the small parts of a one-sheet workbook.
var parts = []struct{ name, body string }{
	{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
	{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="nilai" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const sheetTail = `</sheetData></worksheet>`

// SheetXML returns a worksheet of the template header and n repeated rows.
func SheetXML(n int) []byte {
	var b bytes.Buffer
	b.WriteString(sheetHead)
	b.WriteString(`<row>`)
	for _, h := range Header {
		fmt.Fprintf(&b, `<c t="inlineStr"><is><t>%s</t></is></c>`, h)
	}
	b.WriteString(`</row>`)
	for range n {
		b.WriteString(row)
	}
	b.WriteString(sheetTail)
	return b.Bytes()
}

// Bomb returns an XLSX whose sheet expands to about size bytes of
// repeated rows (deflate, maximum compression: about 1 MiB per GiB...
// in practice a few MB for several hundred MiB). Its sizes are declared
// honestly.
func Bomb(size int64) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, p := range parts {
		w, _ := zw.Create(p.name)
		mustWrite(io.WriteString(w, p.body))
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	mustWrite(io.WriteString(w, sheetHead))
	chunk := bytes.Repeat([]byte(row), 4096)
	for n := int64(len(sheetHead)); n < size; n += int64(len(chunk)) {
		mustWrite(w.Write(chunk))
	}
	mustWrite(io.WriteString(w, sheetTail))
	must(zw.Close())
	return b.Bytes()
}

// Lying returns an XLSX whose sheet declares declared bytes but holds
// the real sheet (SheetXML(rows)): a reader trusting the declared size is
// fooled.
func Lying(rows int, declared uint64) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		w, _ := zw.Create(p.name)
		mustWrite(io.WriteString(w, p.body))
	}
	sheet := SheetXML(rows)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	mustWrite(fw.Write(sheet))
	must(fw.Close())
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(sheet), CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared})
	mustWrite(w.Write(comp.Bytes()))
	must(zw.Close())
	return b.Bytes()
}

// Raw returns a one-sheet XLSX whose sheetData holds rowsXML as given.
func Raw(rowsXML string) []byte { return RawShared(rowsXML, nil) }

// RawShared is Raw with a shared string table.
func RawShared(rowsXML string, shared []string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		w, _ := zw.Create(p.name)
		mustWrite(io.WriteString(w, p.body))
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	mustWrite(io.WriteString(w, sheetHead+rowsXML+sheetTail))
	if shared != nil {
		w, _ := zw.Create("xl/sharedStrings.xml")
		mustWrite(io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`))
		for _, s := range shared {
			mustWrite(fmt.Fprintf(w, `<si><t>%s</t></si>`, s))
		}
		mustWrite(io.WriteString(w, `</sst>`))
	}
	must(zw.Close())
	return b.Bytes()
}

// must stops a test whose fixture could not be built; the fixtures are
// written to memory, so that is a bug in this package.
func must(err error) {
	if err != nil {
		panic("spreadsheettest: building a fixture: " + err.Error())
	}
}

func mustWrite(_ int, err error) { must(err) }
