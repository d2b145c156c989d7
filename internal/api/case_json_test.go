package api

import (
	"bytes"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// both writes l through writeCaseList and through httpx.WriteJSON and
// fails unless status, headers and body are the same.
func both(t *testing.T, what string, l CaseList) {
	t.Helper()
	fast, slow := httptest.NewRecorder(), httptest.NewRecorder()
	writeCaseList(fast, 200, l)
	httpx.WriteJSON(slow, 200, l)
	if fast.Code != slow.Code || !reflect.DeepEqual(fast.Header(), slow.Header()) {
		t.Errorf("%s: status/headers %d %v, encoding/json %d %v", what, fast.Code, fast.Header(), slow.Code, slow.Header())
	}
	if !bytes.Equal(fast.Body.Bytes(), slow.Body.Bytes()) {
		t.Errorf("%s:\nhand-written %s\nencoding/json %s", what, fast.Body.Bytes(), slow.Body.Bytes())
	}
}

// listRow is a case as the inbox reads it.
func listRow() domain.Case {
	at := time.Date(2026, 12, 4, 11, 27, 25, 0, time.UTC)
	due := at.Add(24 * time.Hour)
	ack := at.Add(time.Hour + 123456789*time.Nanosecond)
	return domain.Case{ID: "01a25040-2d71-729a-bde2-59938881055a", Code: "901259114", RegionCode: "61.07.08.2002", RegionName: "Gerantung",
		Status: "acknowledged", Priority: "low", Types: []domain.ViolenceType{"psychological", "sexual"}, ReportedAt: at, CreatedAt: at,
		UpdatedAt: at.Add(3*time.Second + 941138*time.Microsecond), AcknowledgedAt: &ack, NextDueAt: &due, NextDueKind: "response", Version: 1}
}

// TestCaseJSONMatchesEncodingJSON holds the inbox's hand-written JSON to
// encoding/json's bytes: for list rows, for every field of domain.Case
// set on its own (a field added to Case and not to appendCaseJSON fails
// here), for strings that need escaping and for times encoding/json
// refuses or writes with an offset.
func TestCaseJSONMatchesEncodingJSON(t *testing.T) {
	counts := map[string]int{"open": 53, "overdue": 41, "soon": 0, "new": 2, "acknowledged": 51}
	both(t, "empty list", CaseList{Cases: []domain.Case{}, Limit: 50, Counts: counts})
	both(t, "nil list and counts", CaseList{Limit: 50})
	rows := []domain.Case{listRow(), listRow(), {}}
	rows[1].Types, rows[1].KDRT, rows[1].TeamID, rows[1].TeamName, rows[1].Assignee = nil, true, "t1", "Tim Reaksi Cepat", "peksos"
	both(t, "list rows", CaseList{Cases: rows, Total: 1234, Limit: 50, Offset: 100, Counts: counts})

	// Strings: only ASCII that needs escaping (HTML, quotes, controls),
	// and beyond ASCII (valid and not).
	for _, v := range []string{"a<b>&c", `"kutip" \ garis`, "tab\tline\n\x01\x7f", "nilai <b>&amp;</b> é\u2028\xff"} {
		c := listRow()
		c.RegionName, c.Assignee, c.Code = v, v, v
		both(t, "string "+v, CaseList{Cases: []domain.Case{c}, Limit: 50})
	}

	// Every field on its own, with a value of its kind.
	typ := reflect.TypeFor[domain.Case]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		c := listRow()
		v := reflect.ValueOf(&c).Elem().Field(i)
		switch {
		case f.Type.Kind() == reflect.String:
			v.SetString("nilai <b>&amp;</b> \"kutip\" \\ é\u2028\x01\xff")
		case f.Type.Kind() == reflect.Bool:
			v.SetBool(!v.Bool())
		case f.Type.Kind() == reflect.Int:
			v.SetInt(v.Int() + 7)
		case f.Type == reflect.TypeFor[time.Time]():
			v.Set(reflect.ValueOf(time.Date(2027, 1, 2, 3, 4, 5, 600, time.FixedZone("WITA", 8*3600))))
		case f.Type == reflect.TypeFor[*time.Time]():
			at := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
			if v.IsNil() {
				v.Set(reflect.ValueOf(&at))
			} else {
				v.SetZero()
			}
		case f.Type.Kind() == reflect.Slice:
			v.Set(reflect.MakeSlice(f.Type, 1, 1))
		case f.Type.Kind() == reflect.Pointer:
			v.Set(reflect.New(f.Type.Elem()))
		default:
			t.Fatalf("domain.Case.%s (%s): teach this test and appendCaseJSON its kind", f.Name, f.Type)
		}
		both(t, "field "+f.Name, CaseList{Cases: []domain.Case{listRow(), c}, Limit: 50, Counts: counts})
	}

	// Times encoding/json refuses: both ways give what encoding/json gives.
	odd := listRow()
	odd.ReportedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", 3600+17))
	both(t, "offset in seconds", CaseList{Cases: []domain.Case{odd}, Limit: 50})
	far := listRow()
	far.CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	both(t, "year 10000", CaseList{Cases: []domain.Case{far}, Limit: 50})
}

// BenchmarkCaseListJSON compares the two ways for a page of 50 rows.
func BenchmarkCaseListJSON(b *testing.B) {
	l := CaseList{Limit: 50, Counts: map[string]int{"open": 53, "overdue": 41, "soon": 3}}
	for range 50 {
		l.Cases = append(l.Cases, listRow())
	}
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			writeCaseList(httptest.NewRecorder(), 200, l)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			httpx.WriteJSON(httptest.NewRecorder(), 200, l)
		}
	})
}
