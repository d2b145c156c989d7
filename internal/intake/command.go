// Package intake turns text that arrives on a channel (SMS through
// Kannel, WhatsApp) into a command for the case area: free text is a report,
// STATUS asks about one, and registered responders answer with TERIMA,
// TIBA and INFO. The provider packages (intake/kannel, intake/whatsapp)
// share it, so a message means the same on every channel.
package intake

import (
	"context"
	"strings"
	"time"
	"unicode"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// Command is a parsed message.
type Command struct {
	Verb string // "" (free text: a report), STATUS, TERIMA, TIBA, INFO, HELP
	Code string // the 9-digit code when one was given and its check digit holds
}

// verbs and the words people type for them (Indonesian and common slips).
var verbs = map[string]string{
	"STATUS": "STATUS", "STATUSS": "STATUS", "STAUTS": "STATUS", "STATS": "STATUS", "STTS": "STATUS", "CEK": "STATUS", "CEKSTATUS": "STATUS",
	"TERIMA": "TERIMA", "TRIMA": "TERIMA", "TERIMAH": "TERIMA", "TRM": "TERIMA", "TERIMAKASIH": "",
	"TIBA": "TIBA", "TIBAH": "TIBA", "TIB": "TIBA", "SAMPAI": "TIBA",
	"INFO": "INFO", "INPO": "INFO", "INF": "INFO",
	"BANTUAN": "HELP", "HELP": "HELP",
}

// Parse reads a message. A known command word (case-insensitive, with
// surrounding punctuation, or one letter off) followed by a code, or
// standing alone, is that command; anything else is free text. A command
// word followed by other words than a code is free text too, so "Tiba-tiba
// anak itu dipukul" stays a report.
func Parse(text string) Command {
	fields := strings.FieldsFunc(strings.ToUpper(text), func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ':' || r == ';' || r == '!' || r == '?' || r == '*' || r == '=' || r == '.'
	})
	if len(fields) == 0 || len(fields) > 6 {
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
	for _, v := range []string{"STATUS", "TERIMA", "TIBA", "INFO"} {
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

// Message is a text from a phone, as a provider package received it.
type Message struct {
	Key        string // provider idempotency key
	Channel    domain.Channel
	From       string // E.164
	Text       string
	ReceivedAt time.Time
}

// Service handles messages from every channel the same way.
type Service struct {
	Store *store.Store
	// Cases is the case area that stores what a message does (nil: the
	// case area on Store with default options).
	Cases  *cases.Service
	Region string // region of new reports: the deployment's
	// Sent is called after a message was committed with a reply waiting
	// in the outbox (the sender wakes up); optional.
	Sent func()
}

// Handle parses and stores a message exactly once and returns what it did.
func (s *Service) Handle(ctx context.Context, m Message) (cases.InboundResult, error) {
	cmd := Parse(m.Text)
	in := cases.InboundMessage{Key: m.Key, Channel: m.Channel, From: m.From, Text: m.Text, ReceivedAt: m.ReceivedAt,
		Verb: cmd.Verb, Code: cmd.Code, Region: s.Region}
	if u, err := s.Store.UserByPhone(ctx, m.From); err == nil {
		sc := access.ForUser(u, "", string(m.Channel))
		in.Responder = &sc
	} else if !domain.IsNotFound(err) {
		return cases.InboundResult{}, err
	}
	area := s.Cases
	if area == nil {
		area = cases.New(s.Store, cases.Options{})
	}
	res, err := area.HandleInbound(ctx, in)
	if err == nil && !res.Duplicate && res.ReplyID != "" && s.Sent != nil {
		s.Sent()
	}
	return res, err
}
