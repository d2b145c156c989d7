package media_test

import (
	"bytes"
	"errors"
	"testing"

	"lindu/internal/media"
	"lindu/internal/media/mediatest"
)

// FuzzStrip feeds any bytes to the strippers of the three photo types:
// they never panic, refuse only with ErrMalformed, never grow a file by
// more than the headers they rewrite, leave no Exif/XMP segment or chunk
// behind, and stripping their output again changes nothing. The seed
// corpus is in testdata/fuzz/FuzzStrip.
func FuzzStrip(f *testing.F) {
	f.Add(uint8(0), mediatest.GPSJPEG())
	f.Add(uint8(1), mediatest.MetaPNG())
	f.Add(uint8(2), mediatest.MetaWebP())
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		mime := []string{media.JPEG, media.PNG, media.WebP}[int(kind)%3]
		out, err := media.Strip(mime, data)
		if err != nil {
			if !errors.Is(err, media.ErrMalformed) {
				t.Fatalf("%s: error %v is not ErrMalformed", mime, err)
			}
			return
		}
		// JPEG may gain an EOI it was missing nowhere: it always ends
		// with the EOI it found.
		if len(out) > len(data) {
			t.Fatalf("%s grew from %d to %d bytes", mime, len(data), len(out))
		}
		again, err := media.Strip(mime, out)
		if err != nil {
			t.Fatalf("%s: stripped output refused: %v", mime, err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("%s: stripping twice changes the output", mime)
		}
		switch mime {
		case media.PNG:
			for _, c := range []string{"eXIf", "tEXt", "zTXt", "iTXt", "tIME"} {
				if pngHasChunk(out, c) {
					t.Fatalf("PNG keeps a %s chunk", c)
				}
			}
		case media.WebP:
			if webpHasChunk(out, "EXIF") || webpHasChunk(out, "XMP ") {
				t.Fatal("WebP keeps EXIF or XMP")
			}
		}
	})
}

// pngHasChunk walks the chunks of a stripped PNG.
func pngHasChunk(b []byte, typ string) bool {
	for i := 8; i+12 <= len(b); {
		n := int(b[i])<<24 | int(b[i+1])<<16 | int(b[i+2])<<8 | int(b[i+3])
		if string(b[i+4:i+8]) == typ {
			return true
		}
		i += 12 + n
	}
	return false
}

// webpHasChunk walks the chunks of a stripped WebP.
func webpHasChunk(b []byte, fourcc string) bool {
	for i := 12; i+8 <= len(b); {
		n := int(b[i+4]) | int(b[i+5])<<8 | int(b[i+6])<<16 | int(b[i+7])<<24
		if string(b[i:i+4]) == fourcc {
			return true
		}
		i += 8 + n + n&1
	}
	return false
}

// FuzzSniff: any bytes sniff to an accepted type or to nothing, without
// panicking.
func FuzzSniff(f *testing.F) {
	for _, s := range [][]byte{mediatest.PDF("x"), mediatest.OggOpus("x"), mediatest.M4ANote("x"), mediatest.MP3Note("x"),
		mediatest.AMRNote("x"), []byte("OggS")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := media.Sniff(data)
		if got == "" {
			return
		}
		for _, ok := range media.Types {
			if got == ok {
				return
			}
		}
		t.Fatalf("sniffed %q, not an accepted type", got)
	})
}
