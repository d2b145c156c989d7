package media_test

import (
	"bytes"
	"errors"
	"image/jpeg"
	"image/png"
	"testing"

	"lindu/internal/media"
	"lindu/internal/media/mediatest"
)

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", mediatest.PDF("visum"), media.PDF},
		{"jpeg", mediatest.GPSJPEG(), media.JPEG},
		{"png", mediatest.MetaPNG(), media.PNG},
		{"webp", mediatest.MetaWebP(), media.WebP},
		{"ogg opus", mediatest.OggOpus("x"), media.OGG},
		{"amr", mediatest.AMRNote("x"), media.AMR},
		{"amr-wb", []byte("#!AMR-WB\nxxxx"), media.AMR},
		{"mp3 frame", mediatest.MP3Note("x"), media.MP3},
		{"mp3 id3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), media.MP3},
		{"m4a", mediatest.M4ANote("x"), media.M4A},
		{"mp4 audio track", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41....hdlr\x00\x00\x00\x00\x00\x00\x00\x00soun"), media.M4A},
		{"mp4 video", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41....hdlr\x00\x00\x00\x00\x00\x00\x00\x00vide....hdlr\x00\x00\x00\x00\x00\x00\x00\x00soun"), ""},
		{"ogg video", []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x2a\x80theora\x03\x02"), ""},
		{"html", []byte("<html><script>alert(1)</script>"), ""},
		{"text", []byte("hanya teks biasa"), ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), ""},
		{"zip", []byte("PK\x03\x04\x14\x00"), ""},
		{"exe", []byte("MZ\x90\x00\x03\x00"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), ""},
		{"empty", nil, ""},
	} {
		if got := media.Sniff(c.data); got != c.want {
			t.Errorf("%s: sniffed %q, want %q", c.name, got, c.want)
		}
	}
}

// The GPS position, the XMP and the comment of a photo are gone, byte for
// byte, and the photo still decodes to the same image.
func TestStripJPEGRemovesGPS(t *testing.T) {
	in := mediatest.GPSJPEG()
	for _, s := range [][]byte{mediatest.GPS, []byte("Exif\x00\x00"), []byte(mediatest.XMPText), []byte(mediatest.CommentText)} {
		if !bytes.Contains(in, s) {
			t.Fatalf("the fixture lacks %q", s)
		}
	}
	out, err := media.Strip(media.JPEG, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]byte{mediatest.GPS, []byte("Exif"), []byte("xmpmeta"), []byte(mediatest.XMPText), []byte(mediatest.CommentText)} {
		if bytes.Contains(out, s) {
			t.Errorf("stripped JPEG still holds %q", s)
		}
	}
	if !bytes.Contains(out, []byte("JFIF\x00")) {
		t.Error("the JFIF header was dropped")
	}
	if !bytes.HasSuffix(out, []byte{0xFF, 0xD9}) {
		t.Error("the stripped JPEG does not end with EOI")
	}
	a, err := jpeg.Decode(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	b, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("the stripped JPEG does not decode: %v", err)
	}
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v -> %v", a.Bounds(), b.Bounds())
	}
	for y := range a.Bounds().Dy() {
		for x := range a.Bounds().Dx() {
			if a.At(x, y) != b.At(x, y) {
				t.Fatalf("pixel %d,%d changed: not lossless", x, y)
			}
		}
	}
	again, err := media.StripJPEG(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("stripping twice changes the file (%v)", err)
	}
}

func TestStripJPEGKeepsICCProfile(t *testing.T) {
	in := mediatest.GPSJPEG()
	icc := []byte{0xFF, 0xE2, 0x00, 0x14}
	icc = append(icc, "ICC_PROFILE\x00\x01\x01abcd"...)
	withICC := append(append(append([]byte{}, in[:2]...), icc...), in[2:]...)
	out, err := media.StripJPEG(withICC)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, icc) {
		t.Error("the ICC profile was dropped")
	}
}

func TestStripPNG(t *testing.T) {
	in := mediatest.MetaPNG()
	if _, err := png.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	out, err := media.Strip(media.PNG, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]byte{mediatest.GPS, []byte("eXIf"), []byte("tEXt"), []byte("iTXt"), []byte("zTXt"), []byte("tIME"),
		[]byte(mediatest.XMPText), []byte(mediatest.CommentText)} {
		if bytes.Contains(out, s) {
			t.Errorf("stripped PNG still holds %q", s)
		}
	}
	if _, err := png.Decode(bytes.NewReader(out)); err != nil {
		t.Fatalf("the stripped PNG does not decode: %v", err)
	}
}

func TestStripWebP(t *testing.T) {
	in := mediatest.MetaWebP()
	out, err := media.Strip(media.WebP, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]byte{mediatest.GPS, []byte("EXIF"), []byte("XMP "), []byte(mediatest.XMPText)} {
		if bytes.Contains(out, s) {
			t.Errorf("stripped WebP still holds %q", s)
		}
	}
	if got := int(out[4]) | int(out[5])<<8 | int(out[6])<<16 | int(out[7])<<24; got != len(out)-8 {
		t.Errorf("RIFF size %d, file has %d bytes after the header", got, len(out)-8)
	}
	i := bytes.Index(out, []byte("VP8X"))
	if i < 0 || out[i+8]&0x0C != 0 {
		t.Errorf("VP8X flags still announce EXIF/XMP")
	}
	if !bytes.Contains(out, []byte("VP8L")) {
		t.Error("the image data was dropped")
	}
	if media.Sniff(out) != media.WebP {
		t.Error("the stripped file is no longer a WebP")
	}
}

func TestStripRefusesBrokenPhotos(t *testing.T) {
	jpg := mediatest.GPSJPEG()
	pngData := mediatest.MetaPNG()
	webp := mediatest.MetaWebP()
	for _, c := range []struct {
		mime string
		data []byte
	}{
		{media.JPEG, jpg[:40]},
		{media.JPEG, []byte{0xFF, 0xD8, 0x00}},
		{media.PNG, pngData[:30]},
		{media.PNG, append([]byte("\x89PNG\r\n\x1a\n"), 0xFF, 0xFF, 0xFF, 0xFF, 'I', 'D', 'A', 'T')},
		{media.WebP, webp[:20]},
		{media.WebP, []byte("RIFF\xff\xff\xff\x7fWEBP")},
	} {
		if _, err := media.Strip(c.mime, c.data); !errors.Is(err, media.ErrMalformed) {
			t.Errorf("%s of %d bytes: %v, want ErrMalformed", c.mime, len(c.data), err)
		}
	}
	// Other types pass untouched.
	pdf := mediatest.PDF("x")
	if out, err := media.Strip(media.PDF, pdf); err != nil || !bytes.Equal(out, pdf) {
		t.Error("a PDF was changed")
	}
}
