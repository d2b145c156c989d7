package kannel_test

import (
	"log/slog"
	"testing"

	"lindu/internal/intake"
	"lindu/internal/intake/intaketest"
	"lindu/internal/intake/kannel"
	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// testSettings are the settings the recordings in testdata were made with.
var testSettings = kannel.Settings{Secret: "s3cret-kannel", AllowIPs: []string{"127.0.0.1"}}

// newHandler is the Kannel handler as the server mounts it.
func newHandler(st *store.Store) intaketest.Provider {
	return &kannel.Handler{Settings: testSettings, Store: st, Log: slog.New(slog.DiscardHandler),
		Intake: &intake.Service{Store: st, Region: "61.07"}}
}

// Messages lindu sent earlier, which the recorded delivery reports name.
var sentEarlier = []intaketest.Sent{
	{ID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7c81", To: "+6281234567001", Body: "lindu: Laporan diterima"},
	{ID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7c82", To: "+6281234567002", Body: "lindu: Laporan diterima"},
	{ID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7c83", To: "+6281234567003", Body: "lindu: Laporan diterima"},
	{ID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7c84", To: "+6281234567004", Body: "lindu: a text in two parts", Parts: 2},
}

// Requests as Kannel's smsbox makes them (testdata/*.http): each SMS is
// stored once with its report and reply, whatever the text coding or the
// sender's number format; a retry changes nothing; what is not a phone
// number, not authorised or not well-formed stores nothing; delivery
// reports move the outbox message on.
func TestKannelRecorded(t *testing.T) {
	const reply = "Laporan diterima, kode"
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		h := intaketest.Start(t, d, "sms", newHandler)
		h.Seed(t, sentEarlier...)
		h.Run(t, []intaketest.Case{
			{Label: "report", Request: "mo-report.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:6f1c2a9e-3b4d-4e5f-9a8b-7c6d5e4f3a21", Kind: "report",
					From: "+6281234567001", Text: "Anak tetangga dipukul setiap malam, tolong"},
				Reply: reply},
			{Label: "retried by smsbox", Request: "mo-report.http", Status: 200, EmptyBody: true},
			{Label: "second SMS joins the report", Request: "mo-append.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:6f1c2a9e-3b4d-4e5f-9a8b-7c6d5e4f3a22", Kind: "append",
					From: "+6281234567001", Text: "tolong\nRumahnya di RT 03 dekat masjid"},
				Reply: "Pesan ditambahkan ke laporan"},
			{Label: "UCS-2", Request: "mo-ucs2.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:ISAT:a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", Kind: "report",
					From: "+6285712340002", Text: "Tolong 🙏 anak perempuan dikurung di gudang — Desa Sebalo"},
				Reply: reply},
			{Label: "Latin-1", Request: "mo-latin1.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", Kind: "report",
					From: "+6281234567005", Text: "Anak bernama José tidak sekolah"},
				Reply: reply},
			{Label: "national number", Request: "mo-local-number.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f", Kind: "report",
					From: "+6281234567003", Text: "tidur di pasar"},
				Reply: reply},
			{Label: "post-url", Request: "mo-post.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:d3e4f5a6-b7c8-4d9e-8f0a-1b2c3d4e5f6a", Kind: "report",
					From: "+6281234567004", Text: "Anak jalanan di terminal minta tolong"},
				Reply: reply},
			{Label: "international without plus", Request: "mo-international.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:XL:e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b", Kind: "report",
					From: "+60123456789", Text: "perbatasan Jagoi Babang"},
				Reply: reply},
			{Label: "operator notice", Request: "mo-operator-notice.http", Status: 200, EmptyBody: true},
			{Label: "help", Request: "mo-help.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d", Kind: "help", From: "+6281234567006"},
				Reply:   "Tulis laporan Anda dalam satu SMS"},
			{Label: "status of an unknown code", Request: "mo-status-unknown.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", Kind: "unknown_code", From: "+6281234567007"},
				Reply:   "Kode 482-719-538 tidak ditemukan"},
			{Label: "responder command from the public", Request: "mo-terima-not-responder.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", Kind: "denied", From: "+6281234567008"},
				Reply:   "hanya untuk petugas terdaftar"},
			{Label: "8-bit binary", Request: "mo-binary.http", Status: 200, EmptyBody: true,
				Message: &intaketest.Message{Key: "kannel:TSEL:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", Kind: "ignored"}},
			{Label: "wrong secret", Request: "mo-wrong-secret.http", Status: 401, Body: "unauthorized"},
			{Label: "address not allowed", Request: "mo-report.http", RemoteAddr: "10.20.30.40:13013", Status: 401, Body: "unauthorized"},
			{Label: "no message id", Request: "mo-missing-id.http", Status: 400},

			{Label: "dlr sent", Request: "dlr-sent.http", Status: 200, Body: "ok",
				Delivery: &intaketest.Delivery{OutboxID: sentEarlier[0].ID, Code: "8", Status: outbox.DeliverySent, Outbox: "sent"}},
			{Label: "dlr delivered", Request: "dlr-delivered.http", Status: 200, Body: "ok",
				Delivery: &intaketest.Delivery{OutboxID: sentEarlier[0].ID, Code: "1", Status: outbox.DeliveryDelivered, Outbox: "delivered"}},
			{Label: "dlr repeated", Request: "dlr-delivered.http", Status: 200, Body: "ok"},
			{Label: "dlr failed", Request: "dlr-failed.http", Status: 200, Body: "ok",
				Delivery: &intaketest.Delivery{OutboxID: sentEarlier[1].ID, Code: "16", Status: outbox.DeliveryFailed, Outbox: "failed"}},
			{Label: "dlr buffered", Request: "dlr-buffered.http", Status: 200, Body: "ok",
				Delivery: &intaketest.Delivery{OutboxID: sentEarlier[2].ID, Code: "4", Status: outbox.DeliveryQueued, Outbox: "sent"}},
			{Label: "dlr buffered after delivered", Request: "dlr-buffered-late.http", Status: 200, Body: "ok",
				Delivery: &intaketest.Delivery{OutboxID: sentEarlier[0].ID, Code: "4", Status: outbox.DeliveryQueued, Outbox: "delivered"}},
			{Label: "dlr failed with the SMSC's answer", Request: "dlr-failed-answer.http", Status: 200, Body: "ok",
				Delivery: &intaketest.Delivery{OutboxID: sentEarlier[2].ID, Code: "16@4F2A11", Status: outbox.DeliveryFailed, Outbox: "failed",
					Detail: "NACK/0x0000000b/Invalid Destination Address"}},
			{Label: "dlr first part of two", Request: "dlr-part-1.http", Status: 200, Body: "ok",
				Delivery: &intaketest.Delivery{OutboxID: sentEarlier[3].ID, Code: "1@77C01", Status: outbox.DeliveryDelivered, Outbox: "sent"}},
			{Label: "dlr second part of two", Request: "dlr-part-2.http", Status: 200, Body: "ok",
				Delivery: &intaketest.Delivery{OutboxID: sentEarlier[3].ID, Code: "1@77C02", Status: outbox.DeliveryDelivered, Outbox: "delivered"}},
			{Label: "dlr of an unknown message", Request: "dlr-unknown-message.http", Status: 200, Body: "unknown message"},
			{Label: "dlr without type", Request: "dlr-missing-type.http", Status: 400},
			{Label: "dlr wrong secret", Request: "dlr-wrong-secret.http", Status: 401, Body: "unauthorized"},
		})
	})
}
