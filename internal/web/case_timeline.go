package web

import (
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
)

// A case's timeline as sentences (linimasa): who did what, in the reader's
// language, with codes shown as labels and personal values only where the
// case area opened them for this reader (a masked reader reads "the
// victim's name was changed" without the name). The case page and the
// printable case file both render it from here.

// TimelineItem is one event of a case's timeline, ready to show.
type TimelineItem struct {
	At       time.Time
	Kind     string
	Sentence string
	// Details are the changed fields of an edit, one line each.
	Details []string
	// Note is the event's free text, for readers who may see it.
	Note string
}

// Timeline is c's timeline as sentences, newest first.
func (k kit) Timeline(c domain.Case) []TimelineItem {
	out := make([]TimelineItem, 0, len(c.Events))
	for i := len(c.Events) - 1; i >= 0; i-- {
		out = append(out, k.timelineItem(c, c.Events[i]))
	}
	return out
}

// ActorText is who acted, readable: the user's full name (for readers who
// may see it) or username, or what lindu itself did.
func (k kit) ActorText(e domain.CaseEvent) string {
	if e.ActorName != "" {
		return e.ActorName
	}
	if what, ok := strings.CutPrefix(e.Actor, "system:"); ok {
		if t := k.tr("tl.system." + what); t != "tl.system."+what {
			return t
		}
		return k.tr("tl.system")
	}
	if name, ok := strings.CutPrefix(e.Actor, "provider:"); ok {
		return k.tr("tl.provider", name) // a provider's SMS or WhatsApp answer
	}
	if e.Actor == "system" || e.Actor == "" {
		return k.tr("tl.system")
	}
	return e.Actor
}

func (k kit) timelineItem(c domain.Case, e domain.CaseEvent) TimelineItem {
	it := TimelineItem{At: e.At, Kind: e.Kind}
	who := k.ActorText(e)
	note := e.Note
	switch e.Kind {
	case "created":
		it.Sentence = k.tr("tl.created", who, k.Lbl("cstatus", e.ToStatus))
	case "transition":
		if note == "routing" {
			it.Sentence, note = k.tr("tl.routed", who, k.Lbl("cstatus", e.ToStatus)), ""
		} else {
			it.Sentence = k.tr("tl.transition", who, k.Lbl("cstatus", e.FromStatus), k.Lbl("cstatus", e.ToStatus))
		}
	case "service", "placement", "victim", "perpetrator", "referral":
		// Their note is "<kind>: <what>" (a code for services and
		// placements, the agency for referrals).
		what := strings.TrimSpace(strings.TrimPrefix(note, e.Kind+":"))
		note = ""
		switch {
		case e.Kind == "service" && what != "":
			it.Sentence = k.tr("tl.service_of", who, k.Lbl("svc", what))
		case e.Kind == "placement" && what != "":
			it.Sentence = k.tr("tl.placement_of", who, k.Lbl("plc", what))
		default:
			it.Sentence, note = k.tr("tl."+e.Kind, who), what
		}
	case "report_merged":
		it.Sentence, note = k.tr("tl.report_merged", who), strings.TrimPrefix(note, "report ")
	case "escalation":
		it.Sentence, note = k.escalationSentence(who, note), ""
	case "assessment":
		// The note is "<number> <risk>".
		n, risk, _ := strings.Cut(note, " ")
		it.Sentence, note = k.tr("tl.assessment_of", who, n, k.Lbl("risk", risk)), ""
	case "visit_planned":
		it.Sentence, note = k.tr("tl.visit_planned_on", who, k.Day(note)), ""
	case "reopened":
		it.Sentence = k.tr("tl.reopened_to", who, k.Lbl("cstatus", e.ToStatus))
	case "edit", "removed":
		it.Sentence, it.Details = k.changeSentence(c, e, who)
		note = ""
	default:
		// note, reassigned, emergency_access and kinds to come.
		key := "tl." + e.Kind
		if it.Sentence = k.tr(key, who); it.Sentence == key {
			it.Sentence = k.tr("tl.other", who, k.Lbl("event", e.Kind))
		}
	}
	it.Note = note
	return it
}

// escalationSentence reads an escalation's note "<clock> <target>: <n>"
// (sealed: readers who may not see it get the sentence without details).
func (k kit) escalationSentence(who, note string) string {
	head, n, ok := strings.Cut(note, ": ")
	kind, target, ok2 := strings.Cut(head, " ")
	if !ok || !ok2 {
		return k.tr("tl.escalation", who)
	}
	count, _ := strconv.Atoi(n)
	return k.tr("tl.escalation_to", who, k.tr("tl.target."+target), k.Lbl("dl", kind), count)
}

// changeSentence says what an edit or removal changed, and one line per
// field: old → new where the reader may see the values, "changed" where
// not.
func (k kit) changeSentence(c domain.Case, e domain.CaseEvent, who string) (string, []string) {
	if len(e.Changes) == 0 {
		return k.tr("tl."+e.Kind+"_none", who), nil
	}
	main := e.Changes[0]
	var lines, fields []string
	if e.Kind == "removed" {
		for _, ch := range e.Changes {
			if ch.Field == domain.ChangeRemoved {
				main = ch
				switch {
				case ch.Masked:
					lines = append(lines, k.tr("tl.reason_masked"))
				case ch.New != "":
					lines = append(lines, k.tr("tl.reason", ch.New))
				}
			}
		}
		return k.tr("tl.removed", who, k.entityText(c, main.Entity, main.EntityID)), lines
	}
	for _, ch := range e.Changes {
		label := k.tr("chgf." + ch.Field)
		fields = append(fields, label)
		if ch.Masked {
			lines = append(lines, k.tr("tl.field_changed", label))
			continue
		}
		lines = append(lines, k.tr("tl.field_from_to", label, k.changeValue(c, ch.Field, ch.Old), k.changeValue(c, ch.Field, ch.New)))
	}
	return k.tr("tl.edit", who, strings.Join(fields, ", "), k.entityText(c, main.Entity, main.EntityID)), lines
}

// entityText names what an edit changed: "the case", "victim 2"...
func (k kit) entityText(c domain.Case, entity, id string) string {
	switch entity {
	case "victim":
		for i, v := range c.Victims {
			if v.ID == id {
				return k.tr("tl.ent.victim_n", i+1)
			}
		}
	case "perpetrator":
		for i, p := range c.Perpetrators {
			if p.ID == id {
				return k.tr("tl.ent.perpetrator_n", i+1)
			}
		}
	case "service":
		for _, s := range c.Services {
			if s.ID == id {
				return k.tr("tl.ent.service_of", k.Lbl("svc", s.Type))
			}
		}
	}
	return k.tr("tl.ent." + entity)
}

// changeFamily is the label family of each coded field in the history.
var changeFamily = map[string]string{"sex": "sex", "education": "edu", "occupation": "occ", "marital_status": "marital",
	"place": "place", "relation": "rel", "type": "svc", "priority": "prio", "disabilities": "disab", "types": "vtype"}

// changeValue shows one value of the history: labels for codes, dates as
// dates, "—" for nothing.
func (k kit) changeValue(c domain.Case, field, v string) string {
	if v == "" {
		return "—"
	}
	switch field {
	case "disabilities", "types":
		parts := strings.Split(v, ",")
		for i, p := range parts {
			parts[i] = k.Lbl(changeFamily[field], p)
		}
		return strings.Join(parts, ", ")
	case "kdrt":
		return k.tr("tl.bool." + v)
	case "age":
		n, err := strconv.Atoi(v)
		if err != nil {
			return v
		}
		return k.AgeText(&n)
	case "incident_date", "given_on", "ended_on":
		return k.Day(v)
	case "victim_id":
		return k.entityText(c, "victim", v)
	}
	if fam, ok := changeFamily[field]; ok {
		return k.Lbl(fam, v)
	}
	return v
}
