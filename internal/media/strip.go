package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Metadata stripping, losslessly: segments and chunks are dropped whole,
// the compressed image data is copied byte for byte.

// StripJPEG keeps of a JPEG's marker segments the JFIF header (APP0), the
// ICC colour profile (APP2 "ICC_PROFILE") and Adobe's colour transform
// (APP14 "Adobe", without which CMYK photos change colour), and every
// segment that is not application data or a comment; Exif and XMP (APP1,
// where the GPS position is), other APPn segments, comments and anything
// after the end of the image are dropped.
func StripJPEG(data []byte) ([]byte, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, fmt.Errorf("%w: no JPEG start", ErrMalformed)
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	i := 2
	for {
		// Fill bytes (0xFF) may precede a marker.
		for i < len(data) && data[i] == 0xFF && i+1 < len(data) && data[i+1] == 0xFF {
			i++
		}
		if i+2 > len(data) || data[i] != 0xFF {
			return nil, fmt.Errorf("%w: JPEG marker expected at %d", ErrMalformed, i)
		}
		m := data[i+1]
		switch {
		case m == 0xD9: // end of image
			return append(out, 0xFF, 0xD9), nil
		case m >= 0xD0 && m <= 0xD7, m == 0x01: // markers without a length
			out = append(out, 0xFF, m)
			i += 2
			continue
		}
		if i+4 > len(data) {
			return nil, fmt.Errorf("%w: JPEG segment cut short", ErrMalformed)
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil, fmt.Errorf("%w: JPEG segment length", ErrMalformed)
		}
		seg := data[i : i+2+n]
		if keepJPEGSegment(m, seg[4:]) {
			out = append(out, seg...)
		}
		i += 2 + n
		if m != 0xDA { // start of scan: entropy-coded data follows
			continue
		}
		j := scanEnd(data, i)
		out = append(out, data[i:j]...)
		i = j
	}
}

// keepJPEGSegment decides whether the segment with marker m and payload p
// stays.
func keepJPEGSegment(m byte, p []byte) bool {
	switch {
	case m == 0xE0:
		return bytes.HasPrefix(p, []byte("JFIF\x00"))
	case m == 0xE2:
		return bytes.HasPrefix(p, []byte("ICC_PROFILE\x00"))
	case m == 0xEE:
		return bytes.HasPrefix(p, []byte("Adobe"))
	case m >= 0xE1 && m <= 0xEF, m == 0xFE:
		return false
	}
	return true
}

// scanEnd returns where the entropy-coded data starting at i ends: at the
// first marker that is not a stuffed byte or a restart marker (or at the
// end of data).
func scanEnd(data []byte, i int) int {
	for i+1 < len(data) {
		if data[i] != 0xFF {
			i++
			continue
		}
		b := data[i+1]
		if b == 0x00 || (b >= 0xD0 && b <= 0xD7) {
			i += 2
			continue
		}
		if b == 0xFF { // fill byte before a marker
			i++
			continue
		}
		return i
	}
	return len(data)
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngDropped are the chunks StripPNG removes: Exif, text (which may hold
// anything, XMP included) and the time of last change.
var pngDropped = map[string]bool{"eXIf": true, "tEXt": true, "zTXt": true, "iTXt": true, "tIME": true}

// StripPNG drops the eXIf, tEXt, zTXt, iTXt and tIME chunks of a PNG and
// anything after its IEND chunk.
func StripPNG(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, fmt.Errorf("%w: no PNG signature", ErrMalformed)
	}
	out := make([]byte, 0, len(data))
	out = append(out, pngSignature...)
	i := len(pngSignature)
	for {
		if i+12 > len(data) {
			return nil, fmt.Errorf("%w: PNG chunk cut short", ErrMalformed)
		}
		n := binary.BigEndian.Uint32(data[i:])
		if n > uint32(len(data)-i-12) {
			return nil, fmt.Errorf("%w: PNG chunk length", ErrMalformed)
		}
		end := i + 12 + int(n)
		typ := string(data[i+4 : i+8])
		if !pngDropped[typ] {
			out = append(out, data[i:end]...)
		}
		i = end
		if typ == "IEND" {
			return out, nil
		}
	}
}

// StripWebP drops the EXIF and XMP chunks of a WebP, clears their flags
// in the VP8X header, and sets the RIFF size to what is left.
func StripWebP(data []byte) ([]byte, error) {
	if len(data) < 12 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, fmt.Errorf("%w: no WebP header", ErrMalformed)
	}
	size := int(binary.LittleEndian.Uint32(data[4:]))
	if size < 4 || size > len(data)-8 {
		return nil, fmt.Errorf("%w: RIFF size", ErrMalformed)
	}
	body := data[12 : 8+size]
	out := make([]byte, 12, len(data))
	copy(out, data[:12])
	for i := 0; i < len(body); {
		if i+8 > len(body) {
			return nil, fmt.Errorf("%w: WebP chunk cut short", ErrMalformed)
		}
		fourcc := string(body[i : i+4])
		n := int(binary.LittleEndian.Uint32(body[i+4:]))
		if n < 0 || n > len(body)-i-8 {
			return nil, fmt.Errorf("%w: WebP chunk length", ErrMalformed)
		}
		end := i + 8 + n + n&1 // chunks are padded to an even size
		if end > len(body) {
			end = len(body)
		}
		switch fourcc {
		case "EXIF", "XMP ":
		case "VP8X":
			start := len(out)
			out = append(out, body[i:end]...)
			if n >= 1 {
				out[start+8] &^= 0x08 | 0x04 // the EXIF and XMP flags
			}
		default:
			out = append(out, body[i:end]...)
		}
		i = end
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}
