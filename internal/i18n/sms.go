package i18n

// SMS texts: one message of at most 160 GSM-7 characters each (a test
// checks them with long village names). Arguments: formatted code, village
// name, deadline in local time, code as typed in replies.
var smsCatalog = map[string]map[string]string{
	"id": {
		"sms.assigned":                  "lindu: Kasus baru %[1]s di %[2]s, prioritas %[3]s. Konfirmasi sebelum %[4]s: balas TERIMA %[5]s",
		"sms.ack.assignee":              "lindu: Kasus %[1]s di %[2]s belum dikonfirmasi. Tenggat %[3]s. Balas TERIMA %[4]s",
		"sms.ack.supervisors":           "lindu: Kasus %[1]s di %[2]s belum ada petugas/konfirmasi. Tenggat %[3]s. Mohon tugaskan.",
		"sms.ack.supervisors.late":      "lindu: LEWAT TENGGAT. Kasus %[1]s di %[2]s belum dikonfirmasi (tenggat %[3]s). Mohon tindak lanjut.",
		"sms.ack.assignee.late":         "lindu: LEWAT TENGGAT. Kasus %[1]s di %[2]s belum dikonfirmasi (tenggat %[3]s). Balas TERIMA %[4]s",
		"sms.response.assignee":         "lindu: Anak pada kasus %[1]s di %[2]s harus dijangkau sebelum %[3]s. Setelah tiba balas TIBA %[4]s",
		"sms.response.assignee.late":    "lindu: LEWAT TENGGAT. Anak pada kasus %[1]s di %[2]s belum dijangkau (tenggat %[3]s). Balas TIBA %[4]s",
		"sms.response.supervisors":      "lindu: Anak pada kasus %[1]s di %[2]s belum dijangkau. Tenggat %[3]s. Mohon tindak lanjut.",
		"sms.response.supervisors.late": "lindu: LEWAT TENGGAT 24 JAM. Anak pada kasus %[1]s di %[2]s belum dijangkau (tenggat %[3]s).",
		"sms.police.assignee":           "lindu: Kasus kekerasan seksual %[1]s di %[2]s wajib dilaporkan ke polisi sebelum %[3]s (UU TPKS).",
		"sms.police.assignee.late":      "lindu: LEWAT TENGGAT. Kasus %[1]s di %[2]s belum dilaporkan ke polisi (tenggat %[3]s, UU TPKS).",
		"sms.police.supervisors":        "lindu: Kasus kekerasan seksual %[1]s di %[2]s belum dilaporkan ke polisi. Tenggat %[3]s.",
		"sms.police.supervisors.late":   "lindu: LEWAT TENGGAT. Kasus %[1]s di %[2]s belum dilaporkan ke polisi (tenggat %[3]s, UU TPKS).",
		"sms.triage.supervisors":        "lindu: Laporan %[1]s dari %[2]s menunggu verifikasi. Tenggat %[3]s.",
		"sms.emergency_access":          "lindu: AKSES DARURAT %[1]s (%[2]s) oleh %[3]s s/d %[4]s. Cek linimasa.",
		"sms.triage.supervisors.late":   "lindu: Laporan %[1]s dari %[2]s belum diverifikasi (tenggat %[3]s). Mohon periksa.",
		"sms.reply.report":              "lindu: Laporan diterima, kode %[1]s. Cek: balas STATUS %[2]s. Jika anak dalam bahaya, hubungi 112 atau SAPA 129.",
		"sms.reply.appended":            "lindu: Pesan ditambahkan ke laporan %[1]s. Terima kasih.",
		"sms.reply.help":                "lindu: Tulis laporan Anda dalam satu SMS. Cek laporan: STATUS <kode>. Petugas: TERIMA/TIBA/INFO <kode>. Darurat: 112.%.0[1]s",
		"sms.reply.denied":              "lindu: Perintah ini hanya untuk petugas terdaftar. Untuk melapor, tulis kejadiannya saja.%.0[1]s",
		"sms.reply.unknown_code":        "lindu: Kode %[1]s tidak ditemukan. Periksa kembali kodenya.",
		"sms.reply.status.received":     "lindu: Laporan %[1]s sudah diterima dan menunggu diperiksa petugas.",
		"sms.reply.status.in_review":    "lindu: Laporan %[1]s sedang ditangani petugas.",
		"sms.reply.status.handled":      "lindu: Petugas sudah menjangkau anak pada laporan %[1]s. Pendampingan berjalan.",
		"sms.reply.status.closed":       "lindu: Laporan %[1]s sudah selesai ditangani. Terima kasih.",
		"sms.reply.status.not_a_case":   "lindu: Laporan %[1]s sudah diperiksa dan tidak dilanjutkan sebagai kasus.",
		"sms.reply.info":                "lindu: Kasus %[1]s: %[2]s.",
		"sms.reply.ack":                 "lindu: Kasus %[1]s dikonfirmasi. Setelah menjangkau anak, balas TIBA dan kodenya.",
		"sms.reply.ack.already":         "lindu: Kasus %[1]s sudah dikonfirmasi (%[2]s).",
		"sms.reply.arrive":              "lindu: Kontak pertama kasus %[1]s dicatat. Terima kasih.",
		"sms.reply.arrive.already":      "lindu: Kontak pertama kasus %[1]s sudah tercatat.",
		"sms.reply.refused":             "lindu: Kasus %[1]s tidak bisa diubah lewat SMS (status: %[2]s).",
		"priority.high":                 "tinggi",
		"priority.medium":               "sedang",
		"priority.low":                  "rendah",
	},
	"en": {
		"priority.high":   "high",
		"priority.medium": "medium",
		"priority.low":    "low",
	},
}
