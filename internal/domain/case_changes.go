package domain

import "time"

// CaseChange is one field of a case's record changed after creation
// (riwayat perubahan): the case itself, a victim, a perpetrator or a
// service. The fields of one save share a ChangeID. Old and New are
// empty and Masked set when the field is personal and the reader may not
// see personal data; coded fields (education, relation...) show their
// codes to everyone who may see the case.
type CaseChange struct {
	ChangeID string    `json:"change_id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Entity   string    `json:"entity"` // case, victim, perpetrator, service, placement
	EntityID string    `json:"entity_id"`
	// Field is the changed field's JSON name ("name", "education"...), or
	// "removed" for a removal (New then holds the reason).
	Field    string `json:"field"`
	Old      string `json:"old,omitempty"`
	New      string `json:"new,omitempty"`
	Personal bool   `json:"personal"`
	Masked   bool   `json:"masked,omitempty"`
}

// ChangeRemoved is the Field of a removal in a case's history.
const ChangeRemoved = "removed"
