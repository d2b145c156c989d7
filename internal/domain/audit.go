package domain

import "time"

// AuditEntry is one line of the append-only, hash-chained audit log.
// Detail never holds personal data: it names fields, not their values.
type AuditEntry struct {
	Seq        int64     `json:"seq"` // number in the order entries were written
	Pos        int64     `json:"pos"` // position in the hash chain; 0 while pending (not yet sealed)
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id,omitempty"`
	Actor      string    `json:"actor"`
	ActorRole  string    `json:"actor_role,omitempty"`
	Action     string    `json:"action"` // e.g. "user.create", "user.view_personal", "auth.login"
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	RegionCode string    `json:"region_code,omitempty"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Actor      string
	Action     string // prefix, e.g. "user."
	ObjectType string
	ObjectID   string
	From, To   time.Time
	Limit      int
	BeforeSeq  int64 // paging: entries with Seq < BeforeSeq
}
