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

// Media of a report that came by WhatsApp: the kinds the Cloud API sends.
const (
	MediaImage    = "image"
	MediaAudio    = "audio"
	MediaVideo    = "video"
	MediaDocument = "document"
	MediaSticker  = "sticker"
)

// States of a report's media file.
const (
	MediaPending = "pending" // the file is to be fetched (again)
	MediaFetched = "fetched" // kept, sealed; a document of the case once there is one
	MediaFailed  = "failed"  // every retry failed: ask the sender to send it again
	MediaRefused = "refused" // its type or size is not accepted
)

// IncomingMedia is a file a message announced: the provider's id for it
// (a WhatsApp media id), what the message said it is.
type IncomingMedia struct {
	Kind         string // image, audio, video, document, sticker
	ProviderID   string
	DeclaredType string // the MIME type the message declared
	FileName     string // a document's file name, personal
}

// ReportMedia is a report's media file as staff see it.
type ReportMedia struct {
	ID         string     `json:"id"`
	ReportID   string     `json:"report_id"`
	Kind       string     `json:"kind"`
	Status     string     `json:"status"`
	FileName   string     `json:"file_name,omitempty"` // personal
	MIMEType   string     `json:"mime_type,omitempty"`
	Size       int64      `json:"size,omitempty"`
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error,omitempty"`
	DocumentID string     `json:"document_id,omitempty"` // the case's document it became
	CreatedAt  time.Time  `json:"created_at"`
	FetchedAt  *time.Time `json:"fetched_at,omitempty"`
	Masked     bool       `json:"masked,omitempty"`
}
