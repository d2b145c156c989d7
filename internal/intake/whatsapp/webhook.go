package whatsapp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/intake"
)

// What the Cloud API's webhooks carry, as lindu reads them, and what each
// message kind becomes (Interpret). Every kind is a report, more text for
// one, a note on one, or ignored and counted — never dropped silently.

// Webhook is a webhook payload.
type Webhook struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry is one WhatsApp Business Account's part of a webhook.
type Entry struct {
	ID      string   `json:"id"`
	Changes []Change `json:"changes"`
}

// Change is one change of an entry: field "messages" carries messages and
// statuses; other fields (templates, account updates...) are not lindu's.
type Change struct {
	Field string `json:"field"`
	Value Value  `json:"value"`
}

// Value is a change's content.
type Value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []Contact   `json:"contacts"`
	Messages []InMessage `json:"messages"`
	Statuses []Status    `json:"statuses"`
	Errors   []APIError  `json:"errors"`
}

// Contact is the sender as the webhook names them.
type Contact struct {
	WaID   string `json:"wa_id"`
	UserID string `json:"user_id"`
}

// APIError is an error the Cloud API reports in a webhook.
type APIError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

// String is the error as lindu keeps it: code, title and details.
func (e APIError) String() string {
	s := strconv.Itoa(e.Code) + " " + e.Title
	if e.ErrorData.Details != "" && e.ErrorData.Details != e.Title {
		s += ": " + e.ErrorData.Details
	} else if e.Message != "" && e.Message != e.Title {
		s += ": " + e.Message
	}
	return strings.TrimSpace(s)
}

// Media is an image, audio, video, document or sticker object.
type Media struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

// Location is a shared place.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
	URL       string  `json:"url"`
}

// SharedContact is a contact card sent in a message.
type SharedContact struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
	} `json:"name"`
	Phones []struct {
		Phone string `json:"phone"`
	} `json:"phones"`
}

// InMessage is an inbound message.
type InMessage struct {
	From       string `json:"from"`
	FromUserID string `json:"from_user_id"`
	UserID     string `json:"user_id"`
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	Context    *struct {
		ID string `json:"id"`
	} `json:"context"`
	Text struct {
		Body string `json:"body"`
	} `json:"text"`
	Image       *Media          `json:"image"`
	Audio       *Media          `json:"audio"`
	Video       *Media          `json:"video"`
	Document    *Media          `json:"document"`
	Sticker     *Media          `json:"sticker"`
	Location    *Location       `json:"location"`
	Contacts    []SharedContact `json:"contacts"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Edit *struct {
		OriginalMessageID string     `json:"original_message_id"`
		Message           *InMessage `json:"message"`
	} `json:"edit"`
	Revoke *struct {
		OriginalMessageID string `json:"original_message_id"`
	} `json:"revoke"`
	System *struct {
		Body string `json:"body"`
		Type string `json:"type"`
	} `json:"system"`
	Errors []APIError `json:"errors"`
}

// Status is a status callback for a message lindu sent.
type Status struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"` // sent, delivered, read, failed
	RecipientID string     `json:"recipient_id"`
	Errors      []APIError `json:"errors"`
}

// Parse reads a webhook body.
func Parse(body []byte) (Webhook, error) {
	var wh Webhook
	if err := json.Unmarshal(body, &wh); err != nil {
		return wh, domain.Errorf(domain.EInvalid, "whatsapp: bad webhook JSON")
	}
	return wh, nil
}

// Sender is where a message came from: the phone number when the webhook
// gives one, else the business-scoped user id of a sender with a username
// (the message's from_user_id or user_id, or the only contact's user_id).
func Sender(m InMessage, contacts []Contact) (string, bool) {
	if m.From != "" {
		if p, ok := domain.NormalizePhone("+" + strings.TrimPrefix(m.From, "+")); ok {
			return p, true
		}
	}
	for _, id := range []string{m.FromUserID, m.UserID} {
		if domain.IsWhatsAppUserID(id) {
			return id, true
		}
	}
	if len(contacts) == 1 {
		c := contacts[0]
		if p, ok := domain.NormalizePhone("+" + strings.TrimPrefix(c.WaID, "+")); ok && m.From == "" {
			return p, true
		}
		if domain.IsWhatsAppUserID(c.UserID) {
			return c.UserID, true
		}
	}
	return "", false
}

// Interpret is what lindu does with an inbound message (its sender aside):
// the text a report keeps, the files to fetch, or an edit, a deletion or
// an event to ignore.
func Interpret(m InMessage) intake.Message {
	msg := intake.Message{Key: "wa:" + m.ID, Channel: domain.ChannelWhatsApp}
	if ts, err := strconv.ParseInt(m.Timestamp, 10, 64); err == nil && ts > 0 {
		msg.ReceivedAt = time.Unix(ts, 0)
	}
	if m.Context != nil {
		msg.ReplyTo = m.Context.ID
	}
	switch m.Type {
	case "reaction":
		msg.Event, msg.Ignored = intake.EventIgnore, "reaction"
		return msg
	case "system", "request_welcome":
		msg.Event, msg.Ignored = intake.EventIgnore, m.Type
		return msg
	case "revoke":
		msg.Event = intake.EventRevoke
		if m.Revoke != nil {
			msg.Original = "wa:" + m.Revoke.OriginalMessageID
		}
		return msg
	case "edit":
		msg.Event = intake.EventEdit
		if m.Edit != nil {
			msg.Original = "wa:" + m.Edit.OriginalMessageID
			if m.Edit.Message != nil {
				inner := Interpret(*m.Edit.Message)
				msg.Text = inner.Text
			}
		}
		if msg.Text == "" {
			msg.Text = t("wa.text.unknown", "edit")
		}
		return msg
	}
	msg.Text, msg.Media = content(m)
	return msg
}

func t(key string, args ...any) string { return i18n.T("id", key, args...) }

// content is a message's text (its body, a caption, a place, a contact
// card, a button's title, or a note of what arrived) and its files.
func content(m InMessage) (string, []domain.IncomingMedia) {
	media := func(kind string, x *Media, placeholder string) (string, []domain.IncomingMedia) {
		if x == nil {
			return t("wa.text.unknown", m.Type), nil
		}
		text := x.Caption
		if text == "" {
			text = placeholder
		}
		var files []domain.IncomingMedia
		if x.ID != "" {
			files = append(files, domain.IncomingMedia{Kind: kind, ProviderID: x.ID, DeclaredType: x.MIMEType, FileName: x.Filename})
		}
		return text, files
	}
	switch m.Type {
	case "text":
		return m.Text.Body, nil
	case "image":
		return media(domain.MediaImage, m.Image, t("wa.text.image"))
	case "audio":
		return media(domain.MediaAudio, m.Audio, t("wa.text.audio"))
	case "video":
		return media(domain.MediaVideo, m.Video, t("wa.text.video"))
	case "sticker":
		return media(domain.MediaSticker, m.Sticker, t("wa.text.sticker"))
	case "document":
		name := ""
		if m.Document != nil {
			name = m.Document.Filename
		}
		text, files := media(domain.MediaDocument, m.Document, t("wa.text.document", name))
		if m.Document != nil && m.Document.Caption != "" && name != "" {
			text += "\n" + t("wa.text.document", name)
		}
		return text, files
	case "location":
		if m.Location == nil {
			return t("wa.text.unknown", m.Type), nil
		}
		return t("wa.text.location", Place(*m.Location)), nil
	case "contacts":
		var parts []string
		for _, c := range m.Contacts {
			p := c.Name.FormattedName
			for _, ph := range c.Phones {
				p += " " + ph.Phone
			}
			parts = append(parts, strings.TrimSpace(p))
		}
		return t("wa.text.contacts", strings.Join(parts, "; ")), nil
	case "interactive":
		if i := m.Interactive; i != nil {
			switch {
			case i.ButtonReply != nil:
				return i.ButtonReply.Title, nil
			case i.ListReply != nil:
				return strings.TrimSpace(i.ListReply.Title + " " + i.ListReply.Description), nil
			}
		}
	case "button":
		if m.Button != nil {
			if m.Button.Text != "" {
				return m.Button.Text, nil
			}
			return m.Button.Payload, nil
		}
	}
	if m.Text.Body != "" {
		return m.Text.Body, nil
	}
	kind := m.Type
	if kind == "" {
		kind = "?"
	}
	text := t("wa.text.unknown", kind)
	for _, e := range m.Errors {
		text += " (" + e.String() + ")"
	}
	return text, nil
}

// Place is a shared location in words: its name and address, its
// coordinates and a map link.
func Place(l Location) string {
	var parts []string
	for _, s := range []string{l.Name, l.Address} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	coord := fmt.Sprintf("%.6f, %.6f", l.Latitude, l.Longitude)
	parts = append(parts, coord, fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f",
		l.Latitude, l.Longitude, l.Latitude, l.Longitude))
	return strings.Join(parts, " — ")
}
