package web

import (
	"net/http"
)

// Routes registers every HTML route on mux: this is the one list of the
// web's pages and actions. Handlers live one file per page or action
// (kla_entry.go, case_show.go...); staff wraps the pages for logged-in
// users and checks the CSRF token of their forms.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", s.assets)
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /login/totp", s.totpForm)
	mux.HandleFunc("POST /login/totp", s.totpVerify)
	mux.HandleFunc("POST /logout", s.flashing(s.logout))
	mux.HandleFunc("POST /lang", s.setLang)
	mux.HandleFunc("GET /beranda", s.staff(s.dashboard))
	mux.HandleFunc("GET /users", s.staff(s.usersList))
	mux.HandleFunc("GET /users/new", s.staff(s.userNewForm))
	mux.HandleFunc("POST /users", s.staff(s.userCreate))
	mux.HandleFunc("GET /users/kunci-masuk", s.staff(s.loginLocks))
	mux.HandleFunc("POST /users/kunci-masuk/lepas", s.staff(s.loginLockLift))
	mux.HandleFunc("GET /users/{id}", s.staff(s.userShow))
	mux.HandleFunc("POST /users/{id}", s.staff(s.userUpdate))
	mux.HandleFunc("POST /users/{id}/totp-reset", s.staff(s.userTOTPReset))
	mux.HandleFunc("GET /account", s.enrolling(s.account))
	mux.HandleFunc("POST /account/password", s.staff(s.accountPassword))
	mux.HandleFunc("POST /account/totp", s.enrolling(s.accountTOTPEnable))
	mux.HandleFunc("POST /account/totp/disable", s.staff(s.accountTOTPDisable))
	mux.HandleFunc("POST /account/tokens", s.staff(s.accountTokenCreate))
	mux.HandleFunc("POST /account/tokens/{id}/revoke", s.staff(s.accountTokenRevoke))
	mux.HandleFunc("GET /audit", s.staff(s.auditList))
	mux.HandleFunc("GET /audit/ekspor.csv", s.staff(s.auditExport("csv")))
	mux.HandleFunc("GET /audit/ekspor.xlsx", s.staff(s.auditExport("xlsx")))
	mux.HandleFunc("GET /audit/checkpoint", s.staff(s.auditCheckpointDownload))
	mux.HandleFunc("GET /wilayah", s.regions)
	mux.HandleFunc("GET /wilayah/{code}", s.regions)
	s.caseRoutes(mux)
	s.klaRoutes(mux)
}

// caseRoutes registers reports and cases (SPEC B).
func (s *Server) caseRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /lapor", s.reportForm)
	mux.HandleFunc("POST /lapor", s.reportSubmit)
	mux.HandleFunc("GET /lapor/terkirim", s.reportSent)
	mux.HandleFunc("GET /lapor/status", s.reportStatus)
	mux.HandleFunc("GET /laporan", s.staff(s.reportsList))
	mux.HandleFunc("GET /laporan/ekspor.csv", s.staff(s.reportsExport("csv")))
	mux.HandleFunc("GET /laporan/ekspor.xlsx", s.staff(s.reportsExport("xlsx")))
	mux.HandleFunc("GET /laporan/{id}", s.staff(s.reportShow))
	mux.HandleFunc("GET /laporan/{id}/lampiran/{media}", s.staff(s.reportMediaDownload))
	mux.HandleFunc("POST /laporan/{id}/verify", s.staff(s.reportVerify))
	mux.HandleFunc("POST /laporan/{id}/merge", s.staff(s.reportMerge))
	mux.HandleFunc("POST /laporan/{id}/reject", s.staff(s.reportReject))
	mux.HandleFunc("GET /kasus", s.staff(s.casesList))
	mux.HandleFunc("GET /kasus/ekspor.csv", s.staff(s.casesExport("csv")))
	mux.HandleFunc("GET /kasus/ekspor.xlsx", s.staff(s.casesExport("xlsx")))
	mux.HandleFunc("GET /kasus/baru", s.staff(s.caseNewForm))
	mux.HandleFunc("GET /kasus/ekspor-simfoni", s.staff(s.caseSIMFONI))
	mux.HandleFunc("GET /kasus/ekspor-simfoni.csv", s.staff(s.caseSIMFONIFile("csv")))
	mux.HandleFunc("GET /kasus/ekspor-simfoni.xlsx", s.staff(s.caseSIMFONIFile("xlsx")))
	mux.HandleFunc("POST /kasus/baru", s.staff(s.caseCreate))
	mux.HandleFunc("GET /kasus/{id}", s.staff(s.caseShow))
	mux.HandleFunc("GET /kasus/{id}/cetak", s.staff(s.casePrint))
	mux.HandleFunc("POST /kasus/{id}/status", s.staff(s.caseStatus))
	mux.HandleFunc("POST /kasus/{id}/assign", s.staff(s.caseAssign))
	mux.HandleFunc("POST /kasus/{id}/note", s.staff(s.caseDetail("note")))
	mux.HandleFunc("POST /kasus/{id}/korban", s.staff(s.caseDetail("victim")))
	mux.HandleFunc("POST /kasus/{id}/pelaku", s.staff(s.caseDetail("perpetrator")))
	mux.HandleFunc("POST /kasus/{id}/layanan", s.staff(s.caseDetail("service")))
	mux.HandleFunc("POST /kasus/{id}/rujukan", s.staff(s.caseDetail("referral")))
	mux.HandleFunc("POST /kasus/{id}/penempatan", s.staff(s.caseDetail("placement")))
	mux.HandleFunc("POST /kasus/{id}/akses-darurat", s.staff(s.caseEmergencyAccess))
	s.caseEditRoutes(mux)
	s.caseDocumentRoutes(mux)
	s.caseworkRoutes(mux)
	s.referralRoutes(mux)
	s.transferRoutes(mux)
	s.shelterRoutes(mux)
	s.auditRoutes(mux)
	s.musrenbangRoutes(mux)
	s.statsRoutes(mux)
	mux.HandleFunc("GET /tim", s.staff(s.teamsList))
	mux.HandleFunc("POST /tim", s.staff(s.teamCreate))
	mux.HandleFunc("POST /tim/{id}/anggota", s.staff(s.teamMembers))
	mux.HandleFunc("POST /tim/piket", s.staff(s.dutyAdd))
	mux.HandleFunc("POST /tim/tenggat", s.staff(s.slaSet))
	mux.HandleFunc("POST /tim/rute", s.staff(s.routingSet))
	mux.HandleFunc("GET /notifikasi", s.staff(s.outboxList))
	mux.HandleFunc("GET /notifikasi/{id}/log", s.staff(s.outboxLog))
}

// klaRoutes registers KLA indicators, dashboard, agreements and budgets (SPEC E).
func (s *Server) klaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /kla", s.staff(s.klaDashboard))
	mux.HandleFunc("GET /kla/kelengkapan", s.staff(s.klaCompleteness))
	mux.HandleFunc("GET /kla/ekspor.csv", s.staff(s.klaExport("csv")))
	mux.HandleFunc("GET /kla/ekspor.xlsx", s.staff(s.klaExport("xlsx")))
	mux.HandleFunc("GET /kla/isi", s.staff(s.klaEntry))
	mux.HandleFunc("POST /kla/isi", limitBody(40<<20, s.staff(s.klaEntrySave)))
	mux.HandleFunc("GET /kla/templat.csv", s.staff(s.klaTemplate("csv")))
	mux.HandleFunc("GET /kla/templat.xlsx", s.staff(s.klaTemplate("xlsx")))
	mux.HandleFunc("POST /kla/unggah", limitBody(6<<20, s.staff(s.klaUpload)))
	mux.HandleFunc("GET /kla/riwayat", s.staff(s.klaHistory))
	mux.HandleFunc("GET /kla/bukti/{id}", s.staff(s.klaFile))
	mux.HandleFunc("GET /kla/verifikasi", s.staff(s.klaVerifyList))
	mux.HandleFunc("POST /kla/verifikasi", s.staff(s.klaVerify))
	mux.HandleFunc("POST /kla/verifikasi/terima-semua", s.staff(s.klaVerifyAll))
	mux.HandleFunc("GET /kla/katalog", s.staff(s.klaCatalogue))
	mux.HandleFunc("POST /kla/katalog/impor", limitBody(6<<20, s.staff(s.klaCatalogueImport)))
	mux.HandleFunc("POST /kla/katalog/indikator", s.staff(s.klaIndicatorSave))
	mux.HandleFunc("POST /kla/rubrik", s.staff(s.klaRubricSave))
	mux.HandleFunc("GET /kla/perjanjian", s.staff(s.klaAgreements))
	mux.HandleFunc("GET /kla/perjanjian/ekspor.csv", s.staff(s.klaAgreementsExport("csv")))
	mux.HandleFunc("GET /kla/perjanjian/ekspor.xlsx", s.staff(s.klaAgreementsExport("xlsx")))
	mux.HandleFunc("POST /kla/perjanjian", s.staff(s.klaAgreementCreate))
	mux.HandleFunc("POST /kla/perjanjian/{id}/komitmen", s.staff(s.klaCommitmentAdd))
	mux.HandleFunc("POST /kla/komitmen/{id}/realisasi", s.staff(s.klaRealisationAdd))
	mux.HandleFunc("GET /kla/opd/{code}", s.staff(s.klaAgreements))
	mux.HandleFunc("GET /kla/anggaran", s.staff(s.klaBudget))
	mux.HandleFunc("GET /kla/anggaran/ekspor.csv", s.staff(s.klaBudgetExport("csv")))
	mux.HandleFunc("GET /kla/anggaran/ekspor.xlsx", s.staff(s.klaBudgetExport("xlsx")))
	mux.HandleFunc("POST /kla/anggaran", s.staff(s.klaBudgetAdd))
	mux.HandleFunc("POST /kla/anggaran/{id}", s.staff(s.klaBudgetSet))
}

// limitBody bounds a request body before the CSRF check reads the form.
func limitBody(max int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, max)
		h(w, r)
	}
}

// caseEditRoutes registers the forms that change a case after creation
// (case_edit.go).
func (s *Server) caseEditRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /kasus/{id}/ubah", s.staff(s.caseEdit))
	mux.HandleFunc("POST /kasus/{id}/korban/{item}/ubah", s.staff(s.itemEdit("victim")))
	mux.HandleFunc("POST /kasus/{id}/korban/{item}/hapus", s.staff(s.itemRemove("victim")))
	mux.HandleFunc("POST /kasus/{id}/pelaku/{item}/ubah", s.staff(s.itemEdit("perpetrator")))
	mux.HandleFunc("POST /kasus/{id}/pelaku/{item}/hapus", s.staff(s.itemRemove("perpetrator")))
	mux.HandleFunc("POST /kasus/{id}/layanan/{item}/ubah", s.staff(s.itemEdit("service")))
	mux.HandleFunc("POST /kasus/{id}/layanan/{item}/hapus", s.staff(s.itemRemove("service")))
}

// caseDocumentRoutes registers the documents of a case (case_documents.go);
// the upload's body is bounded and parsed before the CSRF check reads it.
func (s *Server) caseDocumentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /kasus/{id}/dokumen", s.documentBody(s.staff(s.caseDocumentUpload)))
	mux.HandleFunc("GET /kasus/{id}/dokumen/{doc}", s.staff(s.caseDocumentDownload))
	mux.HandleFunc("POST /kasus/{id}/dokumen/{doc}/hapus", s.staff(s.caseDocumentDelete))
}
