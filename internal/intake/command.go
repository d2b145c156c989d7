package intake

// The parser of text messages: which words are commands. What each
// command does is in inbound.go and the files it names.

import (
	"strings"
	"unicode"

	"lindu/internal/domain"
)

// Command is a parsed message.
type Command struct {
	Verb string // "" (free text: a report), STATUS, TERIMA, TIBA, INFO, HELP, YA, TIDAK, SELESAI, DUKUNG
	Code string // the 9-digit code when one was given and its check digit holds
	// Reason is what follows the code of a TIDAK (a provider's reason).
	Reason string
}

// verbs and the words people type for them (Indonesian and common slips).
var verbs = map[string]string{
	"STATUS": "STATUS", "STATUSS": "STATUS", "STAUTS": "STATUS", "STATS": "STATUS", "STTS": "STATUS", "CEK": "STATUS", "CEKSTATUS": "STATUS",
	"TERIMA": "TERIMA", "TRIMA": "TERIMA", "TERIMAH": "TERIMA", "TRM": "TERIMA", "TERIMAKASIH": "",
	"TIBA": "TIBA", "TIBAH": "TIBA", "TIB": "TIBA", "SAMPAI": "TIBA",
	"INFO": "INFO", "INPO": "INFO", "INF": "INFO",
	"BANTUAN": "HELP", "HELP": "HELP",
	// A provider's answer to a referral.
	"YA": "YA", "YAA": "YA", "IYA": "YA", "TIDAK": "TIDAK", "TDK": "TIDAK", "TIDA": "TIDAK", "GAK": "TIDAK",
	"SELESAI": "SELESAI", "SLS": "SELESAI", "SELESE": "SELESAI",
	// A child's support of a proposal (Musrenbang Anak).
	"DUKUNG": "DUKUNG", "DUKUNK": "DUKUNG", "DKG": "DUKUNG", "DUKUNGAN": "DUKUNG", "DUKUNGG": "DUKUNG",
}

// referralVerbs are the answers to a referral: the code, then (TIDAK)
// the reason.
var referralVerbs = map[string]bool{"YA": true, "TIDAK": true, "SELESAI": true}

// Parse reads a message. A known command word (case-insensitive, with
// surrounding punctuation, or one letter off) followed by a code, or
// standing alone, is that command; anything else is free text. A command
// word followed by other words than a code is free text too, so "Tiba-tiba
// anak itu dipukul" stays a report. Pure: anyone may call it.
func Parse(text string) Command {
	fields := strings.FieldsFunc(strings.ToUpper(text), func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ':' || r == ';' || r == '!' || r == '?' || r == '*' || r == '=' || r == '.'
	})
	if len(fields) == 0 {
		return Command{}
	}
	if c, ok := parseAnswer(text, fields); ok {
		return c
	}
	if len(fields) > 6 {
		return Command{}
	}
	word := fields[0]
	rest := strings.Join(fields[1:], " ")
	// "TERIMA482719536" written without a space.
	if i := strings.IndexFunc(word, unicode.IsDigit); i > 0 && rest == "" {
		word, rest = word[:i], word[i:]
	}
	verb := matchVerb(strings.Trim(word, "-#/\"'()"))
	if verb == "" {
		return Command{}
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		if verb == "HELP" {
			return Command{Verb: verb}
		}
		if len(fields) == 1 {
			return Command{Verb: verb} // a bare command: answered with help
		}
	}
	code, ok := domain.NormalizePublicCode(rest)
	if !ok {
		if verb == "HELP" {
			return Command{Verb: verb}
		}
		// Digits with a wrong check digit are a mistyped code, not a report.
		if rest != "" && strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsDigit(r) && !strings.ContainsRune(" -#/", r) }) < 0 {
			return Command{Verb: verb}
		}
		return Command{}
	}
	return Command{Verb: verb, Code: code}
}

func matchVerb(w string) string {
	if w == "" || len(w) > 12 {
		return ""
	}
	if v, ok := verbs[w]; ok {
		return v
	}
	for _, v := range []string{"STATUS", "TERIMA", "TIBA", "INFO", "SELESAI"} {
		if len(w) >= 4 && osa(w, v) <= 1 {
			return v
		}
	}
	return ""
}

// osa is the optimal-string-alignment distance (edits and swaps of
// neighbours), enough for one slip of the thumb.
func osa(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// parseAnswer reads a provider's answer to a referral: YA, TIDAK or
// SELESAI, then the referral's 9-digit code (grouped or not), then for
// TIDAK the reason in the sender's own words. Anything else is not an
// answer ("Ya Allah, anak itu..." stays a report).
func parseAnswer(text string, fields []string) (Command, bool) {
	verb := verbs[strings.Trim(fields[0], "-#/\"'()")]
	if !referralVerbs[verb] || len(fields) < 2 {
		return Command{}, false
	}
	for n := 3; n >= 1; n-- {
		if len(fields) < 1+n {
			continue
		}
		code, ok := domain.NormalizePublicCode(strings.Join(fields[1:1+n], " "))
		if !ok {
			continue
		}
		c := Command{Verb: verb, Code: code}
		if verb == "TIDAK" {
			c.Reason = reasonAfter(text, fields[n])
		} else if len(fields) > 1+n {
			return Command{}, false // more words: not an answer
		}
		return c, true
	}
	return Command{}, false
}

// reasonAfter is the original text after the code's last token (the
// reason as typed, its case kept).
func reasonAfter(text, lastToken string) string {
	up := strings.ToUpper(text)
	i := strings.Index(up, lastToken)
	if i < 0 {
		return ""
	}
	return strings.TrimLeft(strings.TrimSpace(text[i+len(lastToken):]), ",.:;-! ")
}
