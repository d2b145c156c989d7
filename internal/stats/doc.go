// Package stats is the statistics area (Sistem Data Gender dan Anak, SPEC
// H): tables computed from the case records (cases, victims and victims by
// type kept as three measures; victims by type × women/children × year with
// the change; by district, age band, sex, place, perpetrator relation,
// disability; the 24-hour response share and median), a crosswalk to local
// report layouts, disclosure control (primary and complementary
// suppression, suppress.go), published releases that the public page and
// exports show, validation rules with explanations, and historical tables
// imported as published and checked cell by cell (histfile.go).
package stats
