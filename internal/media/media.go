// Package media knows what an uploaded file is and cleans it before it is
// kept: the type is sniffed from the bytes (never taken from the name or
// the browser), only a short list of document, photo and voice-note types
// is accepted, and photos lose their metadata (Exif with the GPS position,
// XMP, comments) losslessly, without re-encoding the image. It imports
// nothing from the project; the case area calls it before sealing a
// document.
package media

import (
	"bytes"
	"errors"
	"net/http"
)

// The accepted types, as sniffed.
const (
	PDF  = "application/pdf"
	JPEG = "image/jpeg"
	PNG  = "image/png"
	WebP = "image/webp"
	OGG  = "audio/ogg"  // Opus or Vorbis voice notes (WhatsApp)
	MP3  = "audio/mpeg" // MPEG-1/2 Layer III
	M4A  = "audio/mp4"  // AAC in an MP4 container without video
	AMR  = "audio/amr"  // AMR narrow- or wideband (older phones)
)

// Types lists every accepted type.
var Types = []string{PDF, JPEG, PNG, WebP, OGG, MP3, M4A, AMR}

// ErrMalformed says a file claims a type its structure does not follow.
var ErrMalformed = errors.New("media: malformed file")

// Sniff returns the type of data when it is one lindu accepts, else "".
func Sniff(data []byte) string {
	switch http.DetectContentType(data) {
	case PDF:
		return PDF
	case JPEG:
		return JPEG
	case PNG:
		return PNG
	case WebP:
		return WebP
	}
	switch {
	case bytes.HasPrefix(data, []byte("#!AMR\n")), bytes.HasPrefix(data, []byte("#!AMR-WB\n")):
		return AMR
	case bytes.HasPrefix(data, []byte("OggS")):
		if oggAudio(data) {
			return OGG
		}
	case bytes.HasPrefix(data, []byte("ID3")), mp3Frame(data):
		return MP3
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		if mp4Audio(data) {
			return M4A
		}
	}
	return ""
}

// oggAudio reports an Ogg stream whose first packet is an Opus or Vorbis
// identification header (the first page holds only that packet).
func oggAudio(data []byte) bool {
	if len(data) < 27 {
		return false
	}
	nseg := int(data[26])
	body := 27 + nseg
	if len(data) < body+8 {
		return false
	}
	p := data[body:]
	return bytes.HasPrefix(p, []byte("OpusHead")) || bytes.HasPrefix(p, []byte("\x01vorbis"))
}

// mp3Frame reports a file starting with an MPEG audio Layer III frame
// header (no ID3 tag): 11 sync bits, a known version, layer III and a
// usable bitrate and sample rate.
func mp3Frame(data []byte) bool {
	if len(data) < 4 || data[0] != 0xFF || data[1]&0xE0 != 0xE0 {
		return false
	}
	version := (data[1] >> 3) & 3
	layer := (data[1] >> 1) & 3
	bitrate := data[2] >> 4
	rate := (data[2] >> 2) & 3
	return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
}

// mp4Audio reports an MP4 file that is audio: an audio brand (M4A, M4B,
// F4A), or a general brand whose tracks have a sound handler and no video
// one.
func mp4Audio(data []byte) bool {
	switch string(data[8:12]) {
	case "M4A ", "M4B ", "F4A ":
		return true
	case "isom", "iso2", "mp41", "mp42", "3gp4", "3gp5", "3gp6", "3gp7", "3g2a", "dash":
	default:
		return false
	}
	sound := false
	rest := data
	for {
		i := bytes.Index(rest, []byte("hdlr"))
		if i < 0 || i+16 > len(rest) {
			return sound
		}
		// hdlr box: version and flags (4), pre_defined (4), handler type.
		switch string(rest[i+12 : i+16]) {
		case "vide":
			return false
		case "soun":
			sound = true
		}
		rest = rest[i+4:]
	}
}

// Strip removes metadata from a photo of type mime (JPEG, PNG, WebP)
// without touching the image data; other types come back unchanged. A
// photo whose structure is broken is refused with ErrMalformed.
func Strip(mime string, data []byte) ([]byte, error) {
	switch mime {
	case JPEG:
		return StripJPEG(data)
	case PNG:
		return StripPNG(data)
	case WebP:
		return StripWebP(data)
	}
	return data, nil
}
