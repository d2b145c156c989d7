package server_test

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The text of a PDF that Chromium printed (Skia's writer): enough of PDF to
// read what each page says, so a test can assert on the paper, not only on
// the page it was printed from. Objects are plain (no object streams),
// content streams Flate-compressed, text shown with Type0 fonts (two-byte
// glyph codes) whose ToUnicode maps give the characters. Whitespace is not
// reliable in such text (Skia places words and runs apart): compare
// without it (squeeze).

var (
	pdfObjRE      = regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)endobj`)
	pdfKidsRE     = regexp.MustCompile(`/Kids\s*\[([^\]]*)\]`)
	pdfRefRE      = regexp.MustCompile(`(\d+) 0 R`)
	pdfFontDictRE = regexp.MustCompile(`(?s)/Font\s*<<(.*?)>>`)
	pdfNamedRefRE = regexp.MustCompile(`/(\w+)\s+(\d+) 0 R`)
	pdfContentsRE = regexp.MustCompile(`/Contents\s*(\[[^\]]*\]|\d+ 0 R)`)
	pdfToUniRE    = regexp.MustCompile(`/ToUnicode\s+(\d+) 0 R`)
	pdfBfcharRE   = regexp.MustCompile(`(?s)beginbfchar(.*?)endbfchar`)
	pdfBfrangeRE  = regexp.MustCompile(`(?s)beginbfrange(.*?)endbfrange`)
	pdfHexRE      = regexp.MustCompile(`<([0-9A-Fa-f]*)>`)
	pdfTextOpRE   = regexp.MustCompile(`(?s)/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[(.*?)\]\s*TJ`)
)

// pdfPages returns the text of each page of pdf, in page order.
func pdfPages(pdf []byte) []string {
	objs := map[string][]byte{}
	for _, m := range pdfObjRE.FindAllSubmatch(pdf, -1) {
		objs[string(m[1])] = m[2]
	}
	var kids []string
	for _, body := range objs {
		if bytes.Contains(body, []byte("/Type /Pages")) {
			if k := pdfKidsRE.FindSubmatch(body); k != nil {
				for _, r := range pdfRefRE.FindAllSubmatch(k[1], -1) {
					kids = append(kids, string(r[1]))
				}
			}
		}
	}
	cmaps := map[string]map[string]string{} // font object → glyph code → text
	var pages []string
	for _, id := range kids {
		page := objs[id]
		fonts := map[string]map[string]string{}
		if fd := pdfFontDictRE.FindSubmatch(page); fd != nil {
			for _, r := range pdfNamedRefRE.FindAllSubmatch(fd[1], -1) {
				fid := string(r[2])
				if _, ok := cmaps[fid]; !ok {
					cmaps[fid] = pdfCMap(objs, objs[fid])
				}
				fonts[string(r[1])] = cmaps[fid]
			}
		}
		var b strings.Builder
		if c := pdfContentsRE.FindSubmatch(page); c != nil {
			for _, r := range pdfRefRE.FindAllSubmatch(c[1], -1) {
				pdfShow(&b, pdfStream(objs[string(r[1])]), fonts)
			}
		}
		pages = append(pages, b.String())
	}
	return pages
}

// pdfShow appends the text a content stream shows.
func pdfShow(b *strings.Builder, content []byte, fonts map[string]map[string]string) {
	var cmap map[string]string
	show := func(h string) {
		for i := 0; i+4 <= len(h); i += 4 {
			b.WriteString(cmap[strings.ToUpper(h[i:i+4])])
		}
	}
	for _, m := range pdfTextOpRE.FindAllSubmatch(content, -1) {
		switch {
		case m[1] != nil:
			cmap = fonts[string(m[1])]
		case m[3] != nil:
			for _, h := range pdfHexRE.FindAllSubmatch(m[3], -1) {
				show(string(h[1]))
			}
		default:
			show(string(m[2]))
		}
	}
}

// pdfStream is the decoded data of a stream object ("" if none).
func pdfStream(body []byte) []byte {
	i := bytes.Index(body, []byte("stream"))
	j := bytes.LastIndex(body, []byte("endstream"))
	if i < 0 || j < i {
		return nil
	}
	data := bytes.TrimLeft(body[i+len("stream"):j], "\r\n")
	if !bytes.Contains(body[:i], []byte("/FlateDecode")) {
		return data
	}
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(r)
	return out
}

// pdfCMap reads a Type0 font's ToUnicode map: four-hex-digit glyph code →
// text.
func pdfCMap(objs map[string][]byte, font []byte) map[string]string {
	out := map[string]string{}
	ref := pdfToUniRE.FindSubmatch(font)
	if ref == nil {
		return out
	}
	cm := pdfStream(objs[string(ref[1])])
	for _, sec := range pdfBfcharRE.FindAllSubmatch(cm, -1) {
		hs := pdfHexRE.FindAllSubmatch(sec[1], -1)
		for i := 0; i+1 < len(hs); i += 2 {
			out[strings.ToUpper(string(hs[i][1]))] = pdfUTF16(string(hs[i+1][1]))
		}
	}
	for _, sec := range pdfBfrangeRE.FindAllSubmatch(cm, -1) {
		for _, line := range strings.Split(string(sec[1]), "\n") {
			hs := pdfHexRE.FindAllStringSubmatch(line, -1)
			if len(hs) < 3 {
				continue
			}
			lo, _ := strconv.ParseUint(hs[0][1], 16, 32)
			hi, _ := strconv.ParseUint(hs[1][1], 16, 32)
			dst, _ := strconv.ParseUint(hs[2][1], 16, 32)
			array := strings.Contains(line, "[")
			for c := lo; c <= hi && c-lo < 65536; c++ {
				code := strings.ToUpper(strconv.FormatUint(c|0x10000, 16)[1:])
				if array {
					if k := int(c - lo + 2); k < len(hs) {
						out[code] = pdfUTF16(hs[k][1])
					}
				} else {
					out[code] = string(rune(dst + c - lo))
				}
			}
		}
	}
	return out
}

// pdfUTF16 decodes big-endian UTF-16 in hex.
func pdfUTF16(h string) string {
	raw, err := hex.DecodeString(h)
	if err != nil {
		return ""
	}
	u := make([]uint16, len(raw)/2)
	for i := range u {
		u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
	}
	return string(utf16.Decode(u))
}

// squeeze drops whitespace, for comparing a PDF's text.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}
