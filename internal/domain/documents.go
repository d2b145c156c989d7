package domain

import "time"

// Document kinds of a case (jenis dokumen).
const (
	DocVisum         = "visum"          // medical examination report (visum et repertum)
	DocPoliceReport  = "police_report"  // laporan polisi
	DocCourtDecision = "court_decision" // putusan pengadilan
	DocLetter        = "letter"         // surat
	DocPhoto         = "photo"          // foto
	DocVoiceNote     = "voice_note"     // pesan suara
	DocOther         = "other"          // lainnya
)

// DocumentKinds lists the kinds of documents a case holds, in the order
// forms offer them.
var DocumentKinds = []string{DocVisum, DocPoliceReport, DocCourtDecision, DocLetter, DocPhoto, DocVoiceNote, DocOther}

// ValidDocumentKind reports whether k is one of DocumentKinds.
func ValidDocumentKind(k string) bool {
	for _, x := range DocumentKinds {
		if x == k {
			return true
		}
	}
	return false
}

// CaseDocument is a file attached to a case (dokumen kasus): what it is,
// never its content. A deleted document stays as a tombstone: who deleted
// it, when and why; its content is gone.
type CaseDocument struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	VictimID    string    `json:"victim_id,omitempty"`
	Kind        string    `json:"kind,omitempty"`
	Title       string    `json:"title,omitempty"`       // personal
	Description string    `json:"description,omitempty"` // personal
	FileName    string    `json:"file_name,omitempty"`   // personal: the name it was uploaded with
	MIMEType    string    `json:"mime_type,omitempty"`   // sniffed from the content
	Size        int64     `json:"size,omitempty"`        // bytes, after metadata was stripped
	CreatedBy   string    `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`

	DeletedAt    *time.Time `json:"deleted_at,omitempty"`
	DeletedBy    string     `json:"deleted_by,omitempty"`
	DeleteReason string     `json:"delete_reason,omitempty"` // personal

	// Masked: the caller does not handle the case and learns only that
	// the document exists (and when it was added).
	Masked bool `json:"masked,omitempty"`
}

// Deleted reports whether the document is a tombstone.
func (d CaseDocument) Deleted() bool { return d.DeletedAt != nil }

// NewDocument is a file to attach to a case. Data is the file as
// received; the case area sniffs its type and strips photo metadata.
type NewDocument struct {
	Kind        string
	Title       string
	Description string
	FileName    string
	VictimID    string
	Data        []byte
}

// DocumentContent is a document with its content, for a download.
type DocumentContent struct {
	CaseDocument
	Data []byte
}
