package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// writeCaseList writes l as httpx.WriteJSON would, byte for byte, with
// the cases of the list encoded by hand. encoding/json spent a fifth of an
// inbox request's CPU on the list: reflection over a Case's 40 fields for
// each of 50 rows, and each time a time.Time's MarshalJSON and the pass
// that checks its output. A list whose cases carry anything a list row
// never has (victims, events, a transfer...), or a time encoding/json
// would refuse, goes through encoding/json as before
// (TestCaseJSONMatchesEncodingJSON holds the two to the same bytes).
func writeCaseList(w http.ResponseWriter, status int, l CaseList) {
	b := make([]byte, 0, 256+len(l.Cases)*640)
	b = append(b, `{"cases":`...)
	if l.Cases == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range l.Cases {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendCaseJSON(b, &l.Cases[i]); !ok {
				httpx.WriteJSON(w, status, l)
				return
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(l.Total), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(l.Limit), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, int64(l.Offset), 10)
	b = append(b, `,"counts":`...)
	counts, err := json.Marshal(l.Counts)
	if err != nil {
		httpx.WriteJSON(w, status, l)
		return
	}
	b = append(b, counts...)
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b) // the status is sent: a failed write means the client went away
}

// appendCaseJSON appends c as encoding/json encodes a domain.Case (HTML
// escaped, fields in the struct's order, omitempty as tagged). ok is false
// for a case with any of the parts a list row never has, or a time
// encoding/json cannot write: the caller then uses encoding/json.
func appendCaseJSON(b []byte, c *domain.Case) ([]byte, bool) {
	if len(c.Victims) > 0 || len(c.Perpetrators) > 0 || len(c.Services) > 0 || len(c.Referrals) > 0 || len(c.Placements) > 0 ||
		len(c.Events) > 0 || len(c.Deadlines) > 0 || len(c.Reports) > 0 || c.Transfer != nil || len(c.Documents) > 0 {
		return b, false
	}
	start := len(b)
	ok := true
	str := func(key, v string, omit bool) {
		if omit && v == "" {
			return
		}
		b = append(b, key...)
		b = appendJSONString(b, v)
	}
	tm := func(key string, t *time.Time) {
		if t == nil {
			return
		}
		// encoding/json refuses a year outside 0-9999 and an offset
		// in seconds (Time.MarshalJSON): left to it.
		if _, off := t.Zone(); off%60 != 0 || t.Year() < 0 || t.Year() > 9999 {
			ok = false
			return
		}
		b = append(b, key...)
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	flag := func(key string, v, omit bool) {
		if omit && !v {
			return
		}
		b = append(b, key...)
		b = strconv.AppendBool(b, v)
	}
	str(`{"id":`, c.ID, false)
	str(`,"code":`, c.Code, false)
	str(`,"region_code":`, c.RegionCode, false)
	str(`,"region_name":`, c.RegionName, true)
	str(`,"status":`, string(c.Status), false)
	str(`,"priority":`, string(c.Priority), false)
	b = append(b, `,"types":`...)
	if c.Types == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range c.Types {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(t))
		}
		b = append(b, ']')
	}
	flag(`,"kdrt":`, c.KDRT, false)
	str(`,"summary":`, c.Summary, true)
	str(`,"place":`, c.Place, true)
	str(`,"incident_date":`, c.IncidentDate, true)
	str(`,"legal_basis":`, c.LegalBasis, true)
	str(`,"team_id":`, c.TeamID, true)
	str(`,"team_name":`, c.TeamName, true)
	str(`,"support_team_id":`, c.SupportTeamID, true)
	str(`,"support_team_name":`, c.SupportTeam, true)
	str(`,"assignee_id":`, c.AssigneeID, true)
	str(`,"assignee":`, c.Assignee, true)
	tm(`,"reported_at":`, &c.ReportedAt)
	tm(`,"created_at":`, &c.CreatedAt)
	tm(`,"updated_at":`, &c.UpdatedAt)
	tm(`,"verified_at":`, c.VerifiedAt)
	tm(`,"acknowledged_at":`, c.AcknowledgedAt)
	tm(`,"responded_at":`, c.RespondedAt)
	tm(`,"closed_at":`, c.ClosedAt)
	tm(`,"next_due_at":`, c.NextDueAt)
	str(`,"next_due_kind":`, string(c.NextDueKind), true)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(c.Version), 10)
	flag(`,"personal_masked":`, c.PersonalMasked, true)
	flag(`,"access_requestable":`, c.AccessRequestable, true)
	tm(`,"emergency_access_until":`, c.AccessUntil)
	flag(`,"read_only":`, c.ReadOnly, true)
	b = append(b, '}')
	if !ok {
		return b[:start], false
	}
	return b, true
}

// appendJSONString appends s as a JSON string the way encoding/json
// writes it with HTML escaping. Plain printable ASCII, which is what list
// rows hold (ids, codes, region codes, statuses), is copied as it is;
// anything else is left to encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
