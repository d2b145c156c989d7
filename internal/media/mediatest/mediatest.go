// Package mediatest builds small files of every type lindu accepts for the
// tests of the media package, the case area and the server: a JPEG photo
// carrying a GPS position in its Exif, a PNG and a WebP with metadata, a
// PDF and voice-note headers.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// GPS is the position planted in the photos' Exif: the rational numbers
// of 0° 49' 7" N, 109° 28' 33" E (Bengkayang), as big-endian bytes, which
// must not survive stripping.
var GPS = []byte{0, 0, 0, 109, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 1, 0, 0, 0, 33, 0, 0, 0, 1}

// Planted texts of the other metadata.
const (
	XMPText     = "RAHASIA-XMP lokasi rumah korban"
	CommentText = "RAHASIA-KOMENTAR diambil di rumah korban"
)

func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for y := range 12 {
		for x := range 16 {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 20), 128, 255})
		}
	}
	return img
}

// Exif returns an Exif APP1 payload ("Exif\0\0" and a big-endian TIFF)
// whose IFD0 points to a GPS IFD holding latitude and longitude.
func Exif() []byte {
	var b bytes.Buffer
	be := binary.BigEndian
	w16 := func(v uint16) { _ = binary.Write(&b, be, v) }
	w32 := func(v uint32) { _ = binary.Write(&b, be, v) }
	b.WriteString("MM\x00\x2a")
	w32(8)
	// IFD0 at 8: one entry, GPSInfo (0x8825) LONG -> offset 26.
	w16(1)
	w16(0x8825)
	w16(4)
	w32(1)
	w32(26)
	w32(0)
	// GPS IFD at 26: four entries, then the rationals at 26+2+4*12+4 = 80.
	w16(4)
	w16(1) // GPSLatitudeRef "N"
	w16(2)
	w32(2)
	b.Write([]byte{'N', 0, 0, 0})
	w16(2) // GPSLatitude 3 RATIONAL at 80
	w16(5)
	w32(3)
	w32(80)
	w16(3) // GPSLongitudeRef "E"
	w16(2)
	w32(2)
	b.Write([]byte{'E', 0, 0, 0})
	w16(4) // GPSLongitude 3 RATIONAL at 104
	w16(5)
	w32(3)
	w32(104)
	w32(0)
	for _, v := range []uint32{0, 1, 49, 1, 7, 1} {
		w32(v)
	}
	b.Write(GPS)
	return append([]byte("Exif\x00\x00"), b.Bytes()...)
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// GPSJPEG is a 16x12 JPEG photo with Exif GPS (APP1), XMP (APP1) and a
// comment (COM) inserted after its JFIF header, and text after its end.
func GPSJPEG() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(), &jpeg.Options{Quality: 80}); err != nil {
		panic(err)
	}
	img := b.Bytes()
	// Go's encoder writes SOI then DQT (no JFIF); insert a JFIF header and
	// the metadata right after SOI.
	jfif := segment(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
	var out []byte
	out = append(out, img[:2]...)
	out = append(out, jfif...)
	out = append(out, segment(0xE1, Exif())...)
	out = append(out, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+XMPText+"</x:xmpmeta>"))...)
	out = append(out, segment(0xFE, []byte(CommentText))...)
	out = append(out, img[2:]...)
	return append(out, []byte("trailing "+CommentText)...)
}

func pngChunk(typ string, data []byte) []byte {
	c := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(c, uint32(len(data)))
	copy(c[4:], typ)
	c = append(c, data...)
	// The CRC is not checked by the stripper; decoders check it, so make
	// it right.
	return append(c, crc(c[4:])...)
}

func crc(b []byte) []byte {
	var table [256]uint32
	for n := range 256 {
		c := uint32(n)
		for range 8 {
			if c&1 != 0 {
				c = 0xEDB88320 ^ (c >> 1)
			} else {
				c >>= 1
			}
		}
		table[n] = c
	}
	c := ^uint32(0)
	for _, x := range b {
		c = table[byte(c)^x] ^ (c >> 8)
	}
	out := make([]byte, 4)
	binary.BigEndian.PutUint32(out, ^c)
	return out
}

// MetaPNG is a PNG with eXIf, tEXt, iTXt, zTXt and tIME chunks before its
// image data.
func MetaPNG() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture()); err != nil {
		panic(err)
	}
	img := b.Bytes()
	// Signature (8) and IHDR (25 bytes) first.
	head, rest := img[:33], img[33:]
	var out []byte
	out = append(out, head...)
	out = append(out, pngChunk("eXIf", Exif()[6:])...)
	out = append(out, pngChunk("tEXt", []byte("Comment\x00"+CommentText))...)
	out = append(out, pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"+XMPText))...)
	out = append(out, pngChunk("zTXt", []byte("Raw\x00\x00x\x9c\x03\x00\x00\x00\x00\x01"))...)
	out = append(out, pngChunk("tIME", []byte{0x07, 0xEA, 12, 5, 0, 1, 2})...)
	return append(out, rest...)
}

// MetaWebP is a lossless WebP (VP8X with the EXIF and XMP flags) with EXIF
// and XMP chunks. Its VP8L bitstream is a 1x1 image.
func MetaWebP() []byte {
	chunk := func(fourcc string, data []byte) []byte {
		c := make([]byte, 8, 8+len(data)+1)
		copy(c, fourcc)
		binary.LittleEndian.PutUint32(c[4:], uint32(len(data)))
		c = append(c, data...)
		if len(data)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	vp8x := []byte{0x08 | 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0} // EXIF and XMP flags, 1x1 canvas
	// A 1x1 VP8L image (from the WebP test suite's smallest lossless file).
	vp8l := []byte{0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}
	var body []byte
	body = append(body, "WEBP"...)
	body = append(body, chunk("VP8X", vp8x)...)
	body = append(body, chunk("VP8L", vp8l)...)
	body = append(body, chunk("EXIF", Exif()[6:])...)
	body = append(body, chunk("XMP ", []byte("<x:xmpmeta>"+XMPText+"</x:xmpmeta>"))...)
	out := []byte("RIFF\x00\x00\x00\x00")
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...)
}

// PDF is a tiny PDF whose text is text.
func PDF(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\n%%EOF\n")
}

// OggOpus is the first page of an Ogg Opus voice note, followed by text.
func OggOpus(text string) []byte {
	page := []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13")
	page = append(page, "OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"...)
	return append(page, text...)
}

// AMRNote is an AMR voice note header followed by text.
func AMRNote(text string) []byte { return append([]byte("#!AMR\n"), text...) }

// MP3Note is an MPEG-1 Layer III frame header followed by text.
func MP3Note(text string) []byte { return append([]byte{0xFF, 0xFB, 0x90, 0x64}, text...) }

// M4ANote is the start of an M4A (ftyp brand "M4A ") followed by text.
func M4ANote(text string) []byte {
	return append([]byte("\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00isomM4A "), text...)
}
