package web

import (
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// translateFields renders field messages in the page's language, for
// Base.Fields.
func translateFields(b Base, fields domain.FieldErrors) map[string]string {
	return httpx.FieldTexts(b.Lang, fields)
}
