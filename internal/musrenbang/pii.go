package musrenbang

import (
	"regexp"
	"sort"
	"strings"
)

// Personal data a child may write into a proposal, which must be removed
// before it is public: phone numbers, NIK (16-digit identity numbers),
// e-mail addresses, schools ("SMPN 1 Bengkayang", "SD Negeri 3") and full
// names after "nama saya" / "saya" (a first name alone is allowed).

// Flag is one piece of personal data found in a text.
type Flag struct {
	Kind  string `json:"kind"`  // phone, nik, email, school, name
	Match string `json:"match"` // the text found
}

var (
	rePhone  = regexp.MustCompile(`(?:\+?62|0)[\s.-]?8(?:[\s.-]?\d){7,11}`)
	reNIK    = regexp.MustCompile(`\b\d{16}\b`)
	reEmail  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	reSchool = regexp.MustCompile(`\b(?:SD|SMP|SMA|SMK|MI|MTs|MA|SLB)[ \t]*(?:N|Negeri|S|Swasta|IT|K)?[ \t]*\.?[ \t]*\d+(?:[ \t]+[A-Z][a-z]+)?|` +
		`\b(?i:sdn|smpn|sman|smkn)[ \t]*\d+(?:[ \t]+[A-Z][a-z]+)?|\b[Ss]ekolah[ \t]+[A-Z][A-Za-z]+(?:[ \t]+[A-Z][A-Za-z]+)?`)
	reName = regexp.MustCompile(`(?i:nama[ \t]+(?:saya|aku|ku)|saya[ \t]+bernama|aku[ \t]+bernama|namaku)[ \t]*(?:adalah[ \t]+|:[ \t]*)?([A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)+)`)
)

// FindPII lists the personal data in text, each match once, in the order
// found.
func FindPII(text string) []Flag {
	var out []Flag
	seen := map[string]bool{}
	type hit struct {
		at int
		f  Flag
	}
	var hits []hit
	add := func(kind string, re *regexp.Regexp, group int) {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			s, e := m[2*group], m[2*group+1]
			if s < 0 {
				continue
			}
			match := strings.TrimSpace(text[s:e])
			if match == "" || seen[kind+"\x00"+match] {
				continue
			}
			seen[kind+"\x00"+match] = true
			hits = append(hits, hit{s, Flag{Kind: kind, Match: match}})
		}
	}
	add("nik", reNIK, 0)
	add("phone", rePhone, 0)
	add("email", reEmail, 0)
	add("school", reSchool, 0)
	add("name", reName, 1)
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	for _, h := range hits {
		// A NIK is digits a phone pattern may also match: keep the NIK.
		if h.f.Kind == "phone" && seen["nik\x00"+h.f.Match] {
			continue
		}
		out = append(out, h.f)
	}
	return out
}
