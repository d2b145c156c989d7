// Package kla owns the KLA (Kabupaten/Kota Layak Anak, child-friendly
// regency/city) module, its rules and its SQL: the versioned indicator
// catalogue and the agencies (OPD) responsible for each indicator, the
// scoring rubric that turns values into points out of 1000 and a category,
// the values entered by agencies with their evidence files, history and the
// task force's verification, bulk entry from CSV/XLSX, the dashboard with
// its rankings and the road to the next category, performance agreements
// (Perjanjian Kinerja) with commitments and realisations, and programme
// budgets. It reads the case records only for the counts behind the two
// computed indicators of cluster V.
//
// Handlers (web, api, cmd) call the exported functions; each one's comment
// says who may call it, and each checks that itself. Errors carry message
// keys of locales/<lang>/kla.txt, never English sentences for users.
//
// Files by what users do: agencies.go (agencies and the user ↔ agency
// binding), catalogue.go (regimes and indicators), rubric.go, values.go
// (entry and listing), entry.go (the value form), verify.go, evidence.go,
// number.go (how typed numbers are read), upload.go and bulk.go (templates
// and spreadsheet import), rollup.go (the roll-ups every value write keeps
// exact), aggregate.go (SQL behind the dashboard), case_cache.go (the case
// counts the pages share a while), dashboard.go, score.go, agreements.go, budget.go, export.go,
// permissions.go (who may do what beyond a role's permissions) and
// synthetic.go (benchmark data).
package kla
