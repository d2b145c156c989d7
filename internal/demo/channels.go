package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/store"
)

// LoadMessages files a few recent WhatsApp reports the way the webhook
// does (synthetic senders): one from a user with a username (no phone
// number), with a photo fetched and kept; one sharing a location; one
// voice note whose file could not be fetched. Their replies wait in the
// outbox. It returns how many messages it stored.
func LoadMessages(ctx context.Context, st *store.Store) (int, error) {
	area := cases.New(st, cases.Options{})
	svc := &intake.Service{Store: st, Cases: area, Region: Region}
	now := time.Now().UTC()
	msgs := []intake.Message{
		{Key: "wa:demo-1", From: "ID.4206617390125587", ReceivedAt: now.Add(-95 * time.Minute),
			Text: "Tolong, anak tetangga dikurung di gudang belakang rumah sejak kemarin (demo)"},
		{Key: "wa:demo-2", From: "ID.4206617390125587", ReceivedAt: now.Add(-93 * time.Minute), Text: "[Foto WhatsApp]",
			Media: []domain.IncomingMedia{{Kind: domain.MediaImage, ProviderID: "demo-photo-1", DeclaredType: "image/png"}}},
		{Key: "wa:demo-3", From: "+6281277000101", ReceivedAt: now.Add(-50 * time.Minute),
			Text: "[Lokasi dibagikan: Pasar Bengkayang — Jl. Pasar, Bengkayang — 0.819800, 109.479500 — " +
				"https://www.openstreetmap.org/?mlat=0.819800&mlon=109.479500#map=17/0.819800/109.479500]"},
		{Key: "wa:demo-4", From: "+6281277000102", ReceivedAt: now.Add(-20 * time.Minute), Text: "[Pesan suara WhatsApp]",
			Media: []domain.IncomingMedia{{Kind: domain.MediaAudio, ProviderID: "demo-voice-1", DeclaredType: "audio/ogg"}}},
	}
	for _, m := range msgs {
		m.Channel = domain.ChannelWhatsApp
		if _, err := svc.Handle(ctx, m); err != nil {
			return 0, fmt.Errorf("demo: whatsapp message: %w", err)
		}
	}
	jobs, err := area.ClaimMedia(ctx, "whatsapp", 10, time.Minute)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		switch j.ProviderID {
		case "demo-photo-1":
			err = area.MediaFetched(ctx, j.ID, demoPhoto())
		default:
			err = area.MediaFailed(ctx, j.ID, "whatsapp: media not found at the Graph API (404 100 Unsupported get request)", true, now)
		}
		if err != nil {
			return 0, err
		}
	}
	return len(msgs), nil
}

// demoPhoto is a small synthetic picture (a house-like shape), a PNG.
func demoPhoto() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 96; x++ {
			c := color.RGBA{R: 150, G: 200, B: 240, A: 255} // sky
			switch {
			case y > 48:
				c = color.RGBA{R: 90, G: 140, B: 60, A: 255} // grass
			case x > 30 && x < 66 && y > 26:
				c = color.RGBA{R: 160, G: 110, B: 70, A: 255} // wall
			case x > 24 && x < 72 && y > 14 && y <= 26 && abs(x-48) < (y-14)*2:
				c = color.RGBA{R: 120, G: 40, B: 30, A: 255} // roof
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // writing to memory does not fail
	return b.Bytes()
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
