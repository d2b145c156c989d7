package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/secret"
)

// Field names bound into sealed values (the additional data of each
// ciphertext: a value opens only under the field it was sealed for), and
// the field names of lookup hashes.
const (
	FieldUserFullName       = "users.full_name"
	FieldUserEmail          = "users.email"
	FieldUserPhone          = "users.phone"
	FieldUserTOTPSecret     = "users.totp_secret"
	FieldReportDescription  = "reports.description"
	FieldReportPhone        = "reports.contact_phone"
	FieldReportReporter     = "reports.reporter_name"
	FieldCaseSummary        = "cases.summary"
	FieldVictimName         = "victims.name"
	FieldPerpetratorName    = "perpetrators.name"
	FieldServiceNote        = "services.note"
	FieldReferralReason     = "referrals.reason"
	FieldCaseEventNote      = "case_events.note"
	FieldOutboxPhone        = "outbox.to_phone"
	FieldGrantReason        = "case_access_grants.reason"
	FieldVictimDisability   = "victims.disability"
	FieldPlacementPlace     = "placements.place_name"
	FieldServiceProvider    = "services.provider"
	FieldReferralAgency     = "referrals.agency"
	FieldReportRejectReason = "reports.reject_reason"
	FieldVictimDisabilities = "victims.disabilities"
	FieldServiceOutcome     = "services.outcome"
	FieldChangeOld          = "case_changes.old"
	FieldChangeNew          = "case_changes.new"
	FieldDocumentTitle      = "case_documents.title"
	FieldDocumentDesc       = "case_documents.description"
	FieldDocumentFileName   = "case_documents.file_name"
	FieldDocumentDelReason  = "case_documents.delete_reason"
	FieldDocumentContent    = "case_document_contents.content"
	FieldAssessmentNotes    = "case_assessments.notes"
	FieldActionGoal         = "case_plan_actions.goal"
	FieldActionText         = "case_plan_actions.action"
	FieldActionOrg          = "case_plan_actions.responsible_org"
	FieldActionNote         = "case_plan_actions.note"
	FieldVisitOutcome       = "case_visits.outcome"
	FieldApprovalNote       = "case_approvals.note"
	FieldApprovalComment    = "case_approvals.comment"
	FieldProviderContact    = "providers.contact"
	FieldProviderPhone      = "providers.phone"
	FieldReferralDecline    = "referrals.decline"
	FieldReferralRevoke     = "referrals.revoke"
	FieldConsentGivenBy     = "case_consents.given_by"
	FieldConsentWithdraw    = "case_consents.withdraw"
	FieldTransferReason     = "case_transfers.reason"
	FieldTransferComment    = "case_transfers.comment"
	FieldMediaFileName      = "report_media.file_name"
	FieldMediaContent       = "report_media.content"
	FieldHostName           = "places.host_name"
	FieldHostPhone          = "places.host_phone"
	FieldPlaceAddress       = "places.address"
	FieldPlaceHousehold     = "places.household"
	FieldPlaceEventNote     = "place_events.note"
	FieldPlaceCheckNote     = "place_checks.note"
	FieldStayReason         = "stays.reason"
	FieldGatekeeping        = "stays.gatekeeping"
	FieldExtensionReason    = "stays.extension_reason"
	FieldVisitFindings      = "place_visits.findings"
	FieldAuditTeam          = "audits.team"
	FieldAuditNote          = "audit_answers.note"
	FieldAuditPhoto         = "audit_photos.content"
	FieldChildNickname      = "child_accounts.nickname"
	FieldChildPhone         = "child_accounts.phone"
	FieldChildGuardian      = "child_accounts.guardian"
	FieldProposalTitle      = "proposals.title"
	FieldProposalBody       = "proposals.body"
	FieldProposalPhoto      = "proposals.photo"

	HashPhone = "phone" // lookup hash of a phone number (users, reports, inbound messages)
)

// SealedColumn is one column whose values are sealed by the box.
type SealedColumn struct {
	Table  string
	Key    string // the table's primary key column (rotation walks it in order)
	Column string // the ciphertext column ("…_enc")
	Field  string // the field name bound into each ciphertext
	// HashColumn, when set, holds the keyed lookup hash of the same row's
	// plaintext under HashField (NULL or "" for an empty value).
	HashColumn, HashField string
}

// sealedColumns is the registry of every sealed column: sealing and
// reading use its field names, rotation re-encrypts each column and
// recomputes its lookup hash, and KeyDependents counts what still needs an
// old key. A new sealed column is one line here; TestSealedRegistryCovers-
// Schema fails while a ciphertext column is missing.
var sealedColumns = []SealedColumn{
	{"users", "id", "full_name_enc", FieldUserFullName, "", ""},
	{"users", "id", "email_enc", FieldUserEmail, "", ""},
	{"users", "id", "phone_enc", FieldUserPhone, "phone_hash", HashPhone},
	{"users", "id", "totp_secret_enc", FieldUserTOTPSecret, "", ""},
	{"reports", "id", "description_enc", FieldReportDescription, "", ""},
	{"reports", "id", "contact_phone_enc", FieldReportPhone, "contact_phone_hash", HashPhone},
	{"reports", "id", "reporter_name_enc", FieldReportReporter, "", ""},
	{"cases", "id", "summary_enc", FieldCaseSummary, "", ""},
	{"victims", "id", "name_enc", FieldVictimName, "", ""},
	{"perpetrators", "id", "name_enc", FieldPerpetratorName, "", ""},
	{"services", "id", "note_enc", FieldServiceNote, "", ""},
	{"referrals", "id", "reason_enc", FieldReferralReason, "", ""},
	{"case_events", "id", "note_enc", FieldCaseEventNote, "", ""},
	{"outbox", "id", "to_phone_enc", FieldOutboxPhone, "", ""},
	{"case_access_grants", "id", "reason_enc", FieldGrantReason, "", ""},
	{"victims", "id", "disability_enc", FieldVictimDisability, "", ""},
	{"placements", "id", "place_name_enc", FieldPlacementPlace, "", ""},
	{"services", "id", "provider_enc", FieldServiceProvider, "", ""},
	{"referrals", "id", "agency_enc", FieldReferralAgency, "", ""},
	{"reports", "id", "reject_reason_enc", FieldReportRejectReason, "", ""},
	{"victims", "id", "disabilities_enc", FieldVictimDisabilities, "", ""},
	{"services", "id", "outcome_enc", FieldServiceOutcome, "", ""},
	{"case_changes", "id", "old_enc", FieldChangeOld, "", ""},
	{"case_changes", "id", "new_enc", FieldChangeNew, "", ""},
	{"case_documents", "id", "title_enc", FieldDocumentTitle, "", ""},
	{"case_documents", "id", "description_enc", FieldDocumentDesc, "", ""},
	{"case_documents", "id", "file_name_enc", FieldDocumentFileName, "", ""},
	{"case_documents", "id", "delete_reason_enc", FieldDocumentDelReason, "", ""},
	{"case_document_contents", "document_id", "content_enc", FieldDocumentContent, "", ""},
	{"report_media", "id", "file_name_enc", FieldMediaFileName, "", ""},
	{"report_media", "id", "content_enc", FieldMediaContent, "", ""},
	{"places", "id", "host_name_enc", FieldHostName, "", ""},
	{"places", "id", "host_phone_enc", FieldHostPhone, "host_phone_hash", HashPhone},
	{"places", "id", "address_enc", FieldPlaceAddress, "", ""},
	{"places", "id", "household_enc", FieldPlaceHousehold, "", ""},
	{"place_events", "id", "note_enc", FieldPlaceEventNote, "", ""},
	{"place_checks", "id", "note_enc", FieldPlaceCheckNote, "", ""},
	{"stays", "id", "reason_enc", FieldStayReason, "", ""},
	{"stays", "id", "gatekeeping_enc", FieldGatekeeping, "", ""},
	{"stays", "id", "extension_reason_enc", FieldExtensionReason, "", ""},
	{"place_visits", "id", "findings_enc", FieldVisitFindings, "", ""},
	{"audits", "id", "team_enc", FieldAuditTeam, "", ""},
	{"audit_answers", "id", "note_enc", FieldAuditNote, "", ""},
	{"audit_photos", "id", "content_enc", FieldAuditPhoto, "", ""},
	{"child_accounts", "id", "nickname_enc", FieldChildNickname, "", ""},
	{"child_accounts", "id", "phone_enc", FieldChildPhone, "phone_hash", HashPhone},
	{"child_accounts", "id", "guardian_enc", FieldChildGuardian, "guardian_hash", HashPhone},
	{"proposals", "id", "title_enc", FieldProposalTitle, "", ""},
	{"proposals", "id", "body_enc", FieldProposalBody, "", ""},
	{"proposals", "id", "photo_enc", FieldProposalPhoto, "", ""},
	{"case_assessments", "id", "notes_enc", FieldAssessmentNotes, "", ""},
	{"case_plan_actions", "id", "goal_enc", FieldActionGoal, "", ""},
	{"case_plan_actions", "id", "action_enc", FieldActionText, "", ""},
	{"case_plan_actions", "id", "responsible_org_enc", FieldActionOrg, "", ""},
	{"case_plan_actions", "id", "note_enc", FieldActionNote, "", ""},
	{"case_visits", "id", "outcome_enc", FieldVisitOutcome, "", ""},
	{"case_approvals", "id", "note_enc", FieldApprovalNote, "", ""},
	{"case_approvals", "id", "comment_enc", FieldApprovalComment, "", ""},
	{"providers", "id", "contact_enc", FieldProviderContact, "", ""},
	{"providers", "id", "phone_enc", FieldProviderPhone, "phone_hash", HashPhone},
	{"referrals", "id", "decline_enc", FieldReferralDecline, "", ""},
	{"referrals", "id", "revoke_enc", FieldReferralRevoke, "", ""},
	{"case_consents", "id", "given_by_enc", FieldConsentGivenBy, "", ""},
	{"case_consents", "id", "withdraw_enc", FieldConsentWithdraw, "", ""},
	{"case_transfers", "id", "reason_enc", FieldTransferReason, "", ""},
	{"case_transfers", "id", "comment_enc", FieldTransferComment, "", ""},
}

// DerivedHash is a lookup hash column whose plaintext is not sealed in its
// own row. Rotation recomputes it from the sealed value that source (a
// query over the key column, "after" as $1 and the batch size as $2)
// returns beside each row's key and hash: key, hash, sealed value, its
// field. A row whose source has no value gets an empty hash: nothing can
// recompute it, and under a removed key it would link to nothing.
type DerivedHash struct {
	Table, Key, Column, Field string
	source                    string
}

var derivedHashes = []DerivedHash{
	// An SMS sender's number is kept only as this hash, and only on the
	// messages that started or joined a report (it joins a sender's texts
	// of the last 30 minutes into one report); the number itself is sealed
	// in that report.
	{"inbound_messages", "id", "phone_hash", HashPhone, `SELECT m.id, m.phone_hash, COALESCE(r.contact_phone_enc, ''),
		'` + FieldReportPhone + `'
		FROM inbound_messages m
		LEFT JOIN reports r ON r.id = m.report_id AND m.kind IN ('report', 'append')
		WHERE m.id > $1 ORDER BY m.id LIMIT $2`},
}

// SealedColumns returns the registry of sealed columns.
func SealedColumns() []SealedColumn { return append([]SealedColumn(nil), sealedColumns...) }

// LookupHashColumns returns every lookup hash column as "table.column".
func LookupHashColumns() []string {
	var out []string
	for _, c := range sealedColumns {
		if c.HashColumn != "" {
			out = append(out, c.Table+"."+c.HashColumn)
		}
	}
	for _, h := range derivedHashes {
		out = append(out, h.Table+"."+h.Column)
	}
	return out
}

// rotateBatch is how many rows one rotation transaction rewrites.
const rotateBatch = 500

// blobBatch is how many rows of a column holding files (up to the upload
// limit, 10 MiB by default, a third more once sealed) rotation reads and
// rewrites at a time, so that it holds a few files in memory, not 500.
const blobBatch = 2

// blobColumns are the sealed columns holding whole files.
var blobColumns = map[string]bool{"case_document_contents.content_enc": true}

// RotateBatch is how many rows of table.column one rotation step reads and
// rewrites.
func RotateBatch(table, column string) int {
	if blobColumns[table+"."+column] {
		return blobBatch
	}
	return rotateBatch
}

// TableRotation counts what rotation did to one table.
type TableRotation struct {
	Table    string
	Values   int // values re-sealed with the active key
	Hashes   int // lookup hashes recomputed with the active key
	Cleared  int // lookup hashes emptied: nothing left to recompute them from
	Checked  int // values read (rows × registered columns of the table)
	Columns  int // registered columns of the table
	Unsealed int // empty values (nothing to seal)
}

// KeyDependents says what still needs a key other than the active one.
type KeyDependents struct {
	// Values counts sealed values per "table.column" and key id.
	Values map[string]map[string]int
	// Hashes counts lookup hashes per "table.column" that differ from
	// their recomputation under the active key.
	Hashes map[string]int
	// Unregistered counts values that look sealed in columns missing from
	// the registry, per "table.column" (a bug: nothing rotates them).
	Unregistered map[string]int
}

// Total is the number of values and hashes that still need an old key.
func (d KeyDependents) Total() int {
	n := 0
	for _, m := range d.Values {
		for _, c := range m {
			n += c
		}
	}
	for _, c := range d.Hashes {
		n += c
	}
	for _, c := range d.Unregistered {
		n += c
	}
	return n
}

// String lists the dependents, one "table.column: …" per line, or "none".
func (d KeyDependents) String() string {
	var lines []string
	for col, m := range d.Values {
		var ks []string
		for k, n := range m {
			ks = append(ks, fmt.Sprintf("%d under %s", n, k))
		}
		sort.Strings(ks)
		lines = append(lines, col+": "+strings.Join(ks, ", "))
	}
	for col, n := range d.Hashes {
		lines = append(lines, fmt.Sprintf("%s: %d lookup hashes not under the active key", col, n))
	}
	for col, n := range d.Unregistered {
		lines = append(lines, fmt.Sprintf("%s: %d sealed values in a column rotation does not know", col, n))
	}
	if len(lines) == 0 {
		return "none"
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Reencrypt re-seals every registered value with the box's active key and
// recomputes every lookup hash, walking each table by primary key in
// batches of rotateBatch rows, one transaction per batch. It can be
// interrupted and run again: values already under the active key are left
// alone. A value changed by someone else while its batch ran is skipped
// (KeyDependents counts it; run again). It returns counts per table, in
// registry order. Authorization: system only (the key rotate command).
func (s *Store) Reencrypt(ctx context.Context, sc domain.Scope) ([]TableRotation, error) {
	if !sc.System {
		return nil, domain.Errorf(domain.EForbidden, "only lindu itself rotates keys")
	}
	var out []TableRotation
	at := map[string]int{}
	tab := func(t string) *TableRotation {
		i, ok := at[t]
		if !ok {
			i = len(out)
			at[t] = i
			out = append(out, TableRotation{Table: t})
		}
		return &out[i]
	}
	for _, c := range sealedColumns {
		tr := tab(c.Table)
		tr.Columns++
		if err := s.walkSealed(ctx, c, true, nil, tr); err != nil {
			return out, err
		}
	}
	for _, h := range derivedHashes {
		if err := s.walkDerived(ctx, h, true, nil, tab(h.Table)); err != nil {
			return out, err
		}
	}
	// The blind name index, rebuilt under the active key.
	names, err := s.IndexMissingNames(ctx)
	if err != nil {
		return out, err
	}
	tab("name_tokens").Hashes += names
	values, hashes := 0, 0
	for _, t := range out {
		values += t.Values
		hashes += t.Hashes + t.Cleared
	}
	err = s.Audit(ctx, sc, "key.rotate", "key", s.box.ActiveKeyID(), "", fmt.Sprintf("values=%d hashes=%d", values, hashes))
	return out, err
}

// KeyDependents counts the sealed values and lookup hashes that still need
// a key other than the active one, and values that look sealed in columns
// missing from the registry. An old key may be removed only when Total is 0.
func (s *Store) KeyDependents(ctx context.Context) (KeyDependents, error) {
	d := KeyDependents{Values: map[string]map[string]int{}, Hashes: map[string]int{}, Unregistered: map[string]int{}}
	for _, c := range sealedColumns {
		if err := s.walkSealed(ctx, c, false, &d, nil); err != nil {
			return d, err
		}
	}
	for _, h := range derivedHashes {
		if err := s.walkDerived(ctx, h, false, &d, nil); err != nil {
			return d, err
		}
	}
	if err := s.staleNames(ctx, &d); err != nil {
		return d, err
	}
	if err := s.countUnregistered(ctx, &d); err != nil {
		return d, err
	}
	return d, nil
}

// sealedRow is one value of a sealed column during rotation: as read, and
// as it is to be written back.
type sealedRow struct{ key, ct, hash, newCT, newHash string }

// walkSealed reads column c in batches; with fix it rewrites what is not
// under the active key (counting into tr), else it counts into d.
func (s *Store) walkSealed(ctx context.Context, c SealedColumn, fix bool, d *KeyDependents, tr *TableRotation) error {
	name := c.Table + "." + c.Column
	hashSel := `''`
	if c.HashColumn != "" {
		hashSel = `COALESCE(` + c.HashColumn + `, '')`
	}
	q := `SELECT ` + c.Key + `, ` + c.Column + `, ` + hashSel + ` FROM ` + c.Table +
		` WHERE ` + c.Key + ` > $1 ORDER BY ` + c.Key + ` LIMIT $2`
	after := ""
	batchSize := RotateBatch(c.Table, c.Column)
	for {
		rows, err := Rows(ctx, s, func(rs *sql.Rows) (sealedRow, error) {
			var r sealedRow
			return r, rs.Scan(&r.key, &r.ct, &r.hash)
		}, q, after, batchSize)
		if err != nil {
			return fmt.Errorf("store: rotate %s: %w", name, err)
		}
		var batch []sealedRow
		for _, r := range rows {
			after = r.key
			redo, err := s.checkSealed(c, &r, fix, d, tr)
			if err != nil {
				return err
			}
			if redo {
				batch = append(batch, r)
			}
		}
		if err := s.resealBatch(ctx, c, batch, tr); err != nil {
			return err
		}
		if len(rows) < batchSize {
			return nil
		}
	}
}

// checkSealed looks at one value r of column c. Without fix it counts into
// d a value that needs an old key and a stale lookup hash; with fix it
// counts into tr and reports whether r is to be rewritten, with r.newCT
// and r.newHash filled in.
func (s *Store) checkSealed(c SealedColumn, r *sealedRow, fix bool, d *KeyDependents, tr *TableRotation) (bool, error) {
	if tr != nil {
		tr.Checked++
	}
	if r.ct == "" {
		if tr != nil {
			tr.Unsealed++
		}
		return false, nil
	}
	name := c.Table + "." + c.Column
	kid := secret.KeyIDOf(r.ct)
	stale := kid != s.box.ActiveKeyID()
	var pt string
	if stale || c.HashColumn != "" {
		var err error
		if pt, err = s.box.Decrypt(c.Field, r.ct); err != nil {
			// The key id is not personal data; the value is not logged.
			return false, fmt.Errorf("store: rotate %s row %s (key %q): %w", name, r.key, kid, err)
		}
	}
	staleHash := c.HashColumn != "" && r.hash != s.box.Hash(c.HashField, pt)
	if !fix {
		if stale {
			if d.Values[name] == nil {
				d.Values[name] = map[string]int{}
			}
			d.Values[name][kid]++
		}
		if staleHash {
			d.Hashes[c.Table+"."+c.HashColumn]++
		}
		return false, nil
	}
	if !stale && !staleHash {
		return false, nil
	}
	r.newCT = r.ct
	if stale {
		var err error
		if r.newCT, err = s.box.Encrypt(c.Field, pt); err != nil {
			return false, fmt.Errorf("store: rotate %s row %s: %w", name, r.key, err)
		}
	}
	r.newHash = s.box.Hash(c.HashField, pt)
	return true, nil
}

// resealBatch writes the new values and lookup hashes of batch (from
// checkSealed), each only if nobody changed the value meanwhile, and
// counts them into tr.
func (s *Store) resealBatch(ctx context.Context, c SealedColumn, batch []sealedRow, tr *TableRotation) error {
	if len(batch) == 0 {
		return nil
	}
	name := c.Table + "." + c.Column
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, r := range batch {
			q := `UPDATE ` + c.Table + ` SET ` + c.Column + ` = $1 WHERE ` + c.Key + ` = $2 AND ` + c.Column + ` = $3`
			args := []any{r.newCT, r.key, r.ct}
			if c.HashColumn != "" {
				q = `UPDATE ` + c.Table + ` SET ` + c.Column + ` = $1, ` + c.HashColumn + ` = $4 WHERE ` + c.Key +
					` = $2 AND ` + c.Column + ` = $3`
				args = append(args, r.newHash)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("store: rotate %s row %s: %w", name, r.key, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range batch {
		if r.newCT != r.ct {
			tr.Values++
		}
		if c.HashColumn != "" && r.newHash != r.hash {
			tr.Hashes++
		}
	}
	return nil
}

// walkDerived recomputes (fix) or checks a derived lookup hash.
func (s *Store) walkDerived(ctx context.Context, h DerivedHash, fix bool, d *KeyDependents, tr *TableRotation) error {
	name := h.Table + "." + h.Column
	type row struct{ key, hash, want string }
	after := ""
	for {
		rows, err := s.r.QueryContext(ctx, h.source, after, rotateBatch)
		if err != nil {
			return fmt.Errorf("store: rotate %s: %w", name, err)
		}
		var batch []row
		n := 0
		for rows.Next() {
			var r row
			var ct, field string
			if err := rows.Scan(&r.key, &r.hash, &ct, &field); err != nil {
				rows.Close()
				return fmt.Errorf("store: rotate %s: %w", name, err)
			}
			n++
			after = r.key
			if tr != nil {
				tr.Checked++
			}
			pt, err := s.box.Decrypt(field, ct)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: rotate %s row %s (key %q): %w", name, r.key, secret.KeyIDOf(ct), err)
			}
			r.want = s.box.Hash(h.Field, pt)
			if r.want == r.hash {
				continue
			}
			if !fix {
				d.Hashes[name]++
				continue
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: rotate %s: %w", name, err)
		}
		if len(batch) > 0 {
			err := s.tx(ctx, func(tx *sql.Tx) error {
				for _, r := range batch {
					if _, err := tx.ExecContext(ctx, `UPDATE `+h.Table+` SET `+h.Column+` = $1 WHERE `+h.Key+` = $2 AND `+
						h.Column+` = $3`, r.want, r.key, r.hash); err != nil {
						return fmt.Errorf("store: rotate %s row %s: %w", name, r.key, err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, r := range batch {
				if r.want == "" {
					tr.Cleared++
				} else {
					tr.Hashes++
				}
			}
		}
		if n < rotateBatch {
			return nil
		}
	}
}

// countUnregistered looks through every text column missing from the
// registry for values that parse as sealed under a key other than the
// active one.
func (s *Store) countUnregistered(ctx context.Context, d *KeyDependents) error {
	cols, err := s.textColumns(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, c := range sealedColumns {
		known[c.Table+"."+c.Column] = true
	}
	active := s.box.ActiveKeyID()
	for _, tc := range cols {
		if known[tc[0]+"."+tc[1]] {
			continue
		}
		rows, err := s.r.QueryContext(ctx, `SELECT `+quoteIdent(tc[1])+` FROM `+quoteIdent(tc[0])+
			` WHERE `+quoteIdent(tc[1])+` LIKE 'enc1:%'`)
		if err != nil {
			return fmt.Errorf("store: scan %s.%s: %w", tc[0], tc[1], err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			if k := secret.KeyIDOf(v); k != "" && k != active {
				d.Unregistered[tc[0]+"."+tc[1]]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// textColumns lists (table, column) of every text column of the schema.
func (s *Store) textColumns(ctx context.Context) ([][2]string, error) {
	q := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND upper(p.type) LIKE '%TEXT%' ORDER BY m.name, p.cid`
	if s.dialect == Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
			AND data_type IN ('text', 'character varying') ORDER BY table_name, ordinal_position`
	}
	rows, err := s.r.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: list columns: %w", err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		out = append(out, [2]string{t, c})
	}
	if len(out) == 0 && rows.Err() == nil {
		return nil, errors.New("store: list columns: no tables")
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
