package musrenbang

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/media"
	"lindu/internal/store"
)

// Proposal statuses.
const (
	StatusPending  = "pending"  // waiting for a facilitator: not public
	StatusApproved = "approved" // public, open for support
	StatusRejected = "rejected" // with a reason the children read; not public
	StatusMerged   = "merged"   // read-only, merged into another (MergedInto)
)

// NewProposal is a child's proposal.
type NewProposal struct {
	ForumID     string `json:"forum_id"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	Cluster     string `json:"cluster"`
	VillageCode string `json:"village_code"`
	AgeGroup    string `json:"age_group"`
	// Photo is an optional photo (JPEG, PNG or WebP): its metadata is
	// removed before it is sealed; it is public once the proposal is.
	Photo []byte `json:"-"`
}

// MaxPhoto is the largest proposal photo accepted.
const MaxPhoto = 5 << 20

// cleanPhoto sniffs a proposal's photo and strips its metadata.
func cleanPhoto(data []byte) (string, []byte, error) {
	if len(data) > MaxPhoto {
		return "", nil, domain.E(domain.ETooLarge, "mr.err.photo_large", MaxPhoto>>20)
	}
	mime := media.Sniff(data)
	if mime != media.JPEG && mime != media.PNG && mime != media.WebP {
		return "", nil, domain.InvalidFields(domain.FieldErrors{"photo": domain.M("mr.field.photo")})
	}
	clean, err := media.Strip(mime, data)
	if err != nil {
		return "", nil, domain.InvalidFields(domain.FieldErrors{"photo": domain.M("mr.field.photo")})
	}
	return mime, clean, nil
}

// Proposal is a proposal as a moderator (or its author) sees it.
type Proposal struct {
	ID           string    `json:"id"`
	Code         string    `json:"code"` // the tracking code
	ForumID      string    `json:"forum_id"`
	ForumName    string    `json:"forum_name"`
	Title        string    `json:"title"`
	Body         string    `json:"body"`
	Cluster      string    `json:"cluster"`
	VillageCode  string    `json:"village_code"`
	VillageName  string    `json:"village_name"`
	DistrictName string    `json:"district_name"`
	AgeGroup     string    `json:"age_group"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason,omitempty"`
	MergedInto   string    `json:"merged_into,omitempty"` // the tracking code of the proposal it was merged into
	Supports     int       `json:"supports"`
	Authors      []string  `json:"authors"` // nickname and age group ("Rina, 13-15")
	Flags        []Flag    `json:"flags,omitempty"`
	Ticket       string    `json:"ticket_stage,omitempty"`
	HasPhoto     bool      `json:"has_photo"`
	CreatedAt    time.Time `json:"created_at"`
	Version      int       `json:"version"`
}

// Event is a step of a proposal's public timeline.
type Event struct {
	Kind   string    `json:"kind"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

const (
	maxTitle = 120
	maxBody  = 2000
)

func checkText(title, body string) domain.FieldErrors {
	f := domain.FieldErrors{}
	if n := utf8.RuneCountInString(title); n < 5 || n > maxTitle || !utf8.ValidString(title) {
		f["title"] = domain.M("mr.field.title", maxTitle)
	}
	if n := utf8.RuneCountInString(body); n < 10 || n > maxBody || !utf8.ValidString(body) {
		f["body"] = domain.M("mr.field.body", maxBody)
	}
	return f
}

// Submit stores a proposal of child (nil: without an account, followed
// by its tracking code) for a forum; it is not public until a facilitator
// approves it. The caller limits how often (per child or per address).
// Anyone may call it.
func (s *Service) Submit(ctx context.Context, child *Child, np NewProposal) (Proposal, error) {
	np.Title, np.Body = strings.TrimSpace(np.Title), strings.TrimSpace(np.Body)
	if child != nil {
		np.ForumID, np.VillageCode, np.AgeGroup = child.ForumID, child.VillageCode, child.AgeGroup
	}
	f := checkText(np.Title, np.Body)
	if !oneOf(np.Cluster, Clusters) {
		f["cluster"] = domain.M("mr.field.cluster")
	}
	if !oneOf(np.AgeGroup, AgeGroups) {
		f["age_group"] = domain.M("mr.field.age_group")
	}
	if len(f) > 0 {
		return Proposal{}, domain.InvalidFields(f)
	}
	photoType, photo := "", ""
	if len(np.Photo) > 0 {
		mime, clean, err := cleanPhoto(np.Photo)
		if err != nil {
			return Proposal{}, err
		}
		if photo, err = s.st.Seal(store.FieldProposalPhoto, string(clean)); err != nil {
			return Proposal{}, err
		}
		photoType = mime
	}
	var p Proposal
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var region string
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM forums WHERE id = $1`, np.ForumID).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.InvalidFields(domain.FieldErrors{"forum_id": domain.M("mr.field.forum")})
		}
		if err != nil {
			return fmt.Errorf("musrenbang: submit: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, np.VillageCode).Scan(&n); err != nil || n == 0 ||
			!domain.RegionWithin(np.VillageCode, region) || domain.RegionLevelOf(np.VillageCode) != domain.LevelVillage {
			return domain.InvalidFields(domain.FieldErrors{"village_code": domain.M("mr.field.village")})
		}
		title, err := s.st.Seal(store.FieldProposalTitle, np.Title)
		if err != nil {
			return err
		}
		body, err := s.st.Seal(store.FieldProposalBody, np.Body)
		if err != nil {
			return err
		}
		now := tx.Now()
		p = Proposal{ID: tx.NewID(), Code: domain.NewPublicCode(), ForumID: np.ForumID, Title: np.Title, Body: np.Body, Cluster: np.Cluster,
			VillageCode: np.VillageCode, AgeGroup: np.AgeGroup, Status: StatusPending, CreatedAt: now, Version: 1, Flags: FindPII(np.Title + "\n" + np.Body)}
		p.HasPhoto = photo != ""
		if _, err := tx.ExecContext(ctx, `INSERT INTO proposals (id, code, forum_id, title_enc, body_enc, cluster, village_code, age_group, status,
			photo_type, photo_enc, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'pending',$9,$10,$11,$11)`,
			p.ID, p.Code, np.ForumID, title, body, np.Cluster, np.VillageCode, np.AgeGroup, photoType, photo, now); err != nil {
			return fmt.Errorf("musrenbang: submit: %w", err)
		}
		if child != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO proposal_authors (proposal_id, child_id) VALUES ($1,$2)`, p.ID, child.ID); err != nil {
				return fmt.Errorf("musrenbang: submit: %w", err)
			}
		}
		if err := event(ctx, tx, p.ID, "submitted", "", "anak"); err != nil {
			return err
		}
		// Facilitators of the forum are told a proposal waits.
		facs, err := store.Rows(ctx, tx, func(r *sql.Rows) (string, error) {
			var u string
			return u, r.Scan(&u)
		}, `SELECT user_id FROM forum_facilitators WHERE forum_id = $1`, np.ForumID)
		if err != nil {
			return err
		}
		for _, u := range facs {
			if _, err := tx.Enqueue(ctx, store.Message{Key: "proposal:" + p.ID + ":new:" + u, UserID: u, Region: region,
				Body: i18n.T("id", "sms.mr.new_proposal", domain.FormatPublicCode(p.Code))}); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, domain.Scope{Username: "anak"}, "proposal.submit", "proposal", p.ID, region, "")
	})
	return p, err
}

func event(ctx context.Context, tx *store.Tx, proposalID, kind, detail, actor string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO proposal_events (id, proposal_id, kind, detail, actor, at) VALUES ($1,$2,$3,$4,$5,$6)`,
		tx.NewID(), proposalID, kind, detail, actor, tx.Now())
	if err != nil {
		return fmt.Errorf("musrenbang: event: %w", err)
	}
	return nil
}

const proposalCols = `p.id, p.code, p.forum_id, f.name, p.title_enc, p.body_enc, p.cluster, p.village_code, COALESCE(v.name, p.village_code),
	COALESCE(d.name, ''), p.age_group, p.status, p.reason, COALESCE(m.code, ''), p.supports, COALESCE(t.stage, ''), p.photo_type <> '', p.created_at, p.version`

const proposalFrom = ` FROM proposals p JOIN forums f ON f.id = p.forum_id LEFT JOIN regions v ON v.code = p.village_code
	LEFT JOIN regions d ON d.code = v.parent_code LEFT JOIN proposals m ON m.id = p.merged_into LEFT JOIN tickets t ON t.proposal_id = p.id`

func (s *Service) proposals(ctx context.Context, q store.Querier, where, order string, args ...any) ([]Proposal, error) {
	ps, err := store.Rows(ctx, q, func(r *sql.Rows) (Proposal, error) {
		var p Proposal
		var title, body string
		if err := r.Scan(&p.ID, &p.Code, &p.ForumID, &p.ForumName, &title, &body, &p.Cluster, &p.VillageCode, &p.VillageName, &p.DistrictName,
			&p.AgeGroup, &p.Status, &p.Reason, &p.MergedInto, &p.Supports, &p.Ticket, &p.HasPhoto, &p.CreatedAt, &p.Version); err != nil {
			return p, err
		}
		var err error
		if p.Title, err = s.st.Open(store.FieldProposalTitle, title); err != nil {
			return p, err
		}
		p.Body, err = s.st.Open(store.FieldProposalBody, body)
		return p, err
	}, `SELECT `+proposalCols+proposalFrom+` WHERE `+where+` ORDER BY `+order, args...)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].Authors, err = s.authors(ctx, q, ps[i].ID); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// authors are a proposal's children as "nickname, age group".
func (s *Service) authors(ctx context.Context, q store.Querier, id string) ([]string, error) {
	return store.Rows(ctx, q, func(r *sql.Rows) (string, error) {
		var nick, age string
		if err := r.Scan(&nick, &age); err != nil {
			return "", err
		}
		n, err := s.st.Open(store.FieldChildNickname, nick)
		return n + ", " + age, err
	}, `SELECT c.nickname_enc, c.age_group FROM proposal_authors a JOIN child_accounts c ON c.id = a.child_id WHERE a.proposal_id = $1 ORDER BY c.created_at`, id)
}

// Queue lists the proposals of the forums the caller moderates, with the
// personal data found in each (status "" : every status). Authorization:
// PermModerateProposals.
func (s *Service) Queue(ctx context.Context, sc domain.Scope, status string) ([]Proposal, error) {
	fs, err := s.Forums(ctx, sc)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, nil
	}
	var ids []string
	args := []any{}
	for _, f := range fs {
		args = append(args, f.ID)
		ids = append(ids, fmt.Sprintf("$%d", len(args)))
	}
	where := "p.forum_id IN (" + strings.Join(ids, ",") + ")"
	if status != "" {
		args = append(args, status)
		where += fmt.Sprintf(" AND p.status = $%d", len(args))
	}
	ps, err := s.proposals(ctx, s.st, where, "CASE WHEN p.status = 'pending' THEN 0 ELSE 1 END, p.created_at DESC", args...)
	if err != nil {
		return nil, err
	}
	flagged := 0
	for i := range ps {
		if ps[i].Flags = FindPII(ps[i].Title + "\n" + ps[i].Body); len(ps[i].Flags) > 0 {
			flagged++
		}
	}
	// The queue shows texts before their personal data is removed.
	if err := s.st.Audit(ctx, sc, "proposal.queue_view", "forum", "", sc.RegionCode, fmt.Sprintf("proposals=%d with_personal_data=%d", len(ps), flagged)); err != nil {
		return nil, err
	}
	return ps, nil
}

// Get returns a proposal of a forum the caller moderates, with its flags.
// Authorization: PermModerateProposals for the forum, or PermPlanTickets
// in the region for a public one (without flags); else not found.
func (s *Service) Get(ctx context.Context, sc domain.Scope, id string) (Proposal, error) {
	ps, err := s.proposals(ctx, s.st, "p.id = $1", "p.id", id)
	if err != nil {
		return Proposal{}, err
	}
	if len(ps) != 1 {
		return Proposal{}, domain.NotFound("proposal")
	}
	region, err := s.mayModerate(ctx, s.st, sc, ps[0].ForumID)
	if err != nil {
		// Planners read the public proposals of their region (to give
		// and follow golden tickets).
		if !sc.Can(domain.PermPlanTickets) || !sc.Contains(ps[0].VillageCode) || ps[0].Status != StatusApproved {
			return Proposal{}, domain.NotFound("proposal")
		}
		return ps[0], nil
	}
	ps[0].Flags = FindPII(ps[0].Title + "\n" + ps[0].Body)
	// A moderator reads the text before its personal data is removed:
	// every such view is audited.
	if err := s.st.Audit(ctx, sc, "proposal.view", "proposal", id, region, fmt.Sprintf("personal_data=%d", len(ps[0].Flags))); err != nil {
		return Proposal{}, err
	}
	return ps[0], nil
}

// lock reads a proposal for a moderator's change in tx.
func (s *Service) lock(ctx context.Context, tx *store.Tx, sc domain.Scope, id string) (Proposal, string, error) {
	ps, err := s.proposals(ctx, tx, "p.id = $1", "p.id", id)
	if err != nil {
		return Proposal{}, "", err
	}
	if len(ps) != 1 {
		return Proposal{}, "", domain.NotFound("proposal")
	}
	region, err := s.mayModerate(ctx, tx, sc, ps[0].ForumID)
	if err != nil {
		return Proposal{}, "", domain.NotFound("proposal")
	}
	if err := tx.Serialize(ctx, "proposal:"+id); err != nil {
		return Proposal{}, "", err
	}
	return ps[0], region, nil
}

// lockPending is lock for a change only a pending proposal takes.
func (s *Service) lockPending(ctx context.Context, tx *store.Tx, sc domain.Scope, id string) (Proposal, string, error) {
	p, region, err := s.lock(ctx, tx, sc, id)
	if err == nil && p.Status != StatusPending {
		err = domain.E(domain.EConflict, "mr.err.not_pending")
	}
	return p, region, err
}

// Edit changes a pending proposal's title and text (the facilitator
// removes personal data; the children are told). version guards against
// a concurrent change. Authorization: PermModerateProposals for the forum.
func (s *Service) Edit(ctx context.Context, sc domain.Scope, id, title, body string, version int) error {
	title, body = strings.TrimSpace(title), strings.TrimSpace(body)
	if f := checkText(title, body); len(f) > 0 {
		return domain.InvalidFields(f)
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		p, region, err := s.lockPending(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if version != 0 && version != p.Version {
			return domain.E(domain.EConflict, "mr.err.changed")
		}
		t, err := s.st.Seal(store.FieldProposalTitle, title)
		if err != nil {
			return err
		}
		b, err := s.st.Seal(store.FieldProposalBody, body)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposals SET title_enc = $1, body_enc = $2, updated_at = $3, version = version + 1 WHERE id = $4`,
			t, b, tx.Now(), id); err != nil {
			return fmt.Errorf("musrenbang: edit: %w", err)
		}
		if err := event(ctx, tx, id, "edited", "", sc.Actor()); err != nil {
			return err
		}
		removed := len(FindPII(p.Title+"\n"+p.Body)) - len(FindPII(title+"\n"+body))
		return tx.Audit(ctx, sc, "proposal.edit", "proposal", id, region, fmt.Sprintf("personal_data_removed=%d", max(removed, 0)))
	})
}

// Approve makes a pending proposal public and open for support; one with
// personal data still in it is refused. Authorization:
// PermModerateProposals for the forum.
func (s *Service) Approve(ctx context.Context, sc domain.Scope, id string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		p, region, err := s.lockPending(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if flags := FindPII(p.Title + "\n" + p.Body); len(flags) > 0 {
			return domain.E(domain.EConflict, "mr.err.personal_data", len(flags))
		}
		if err := s.setStatus(ctx, tx, sc, p, StatusApproved, ""); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "proposal.approve", "proposal", id, region, "")
	})
}

// Reject turns a pending proposal down with a reason the children read.
// Authorization: PermModerateProposals for the forum.
func (s *Service) Reject(ctx context.Context, sc domain.Scope, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return domain.InvalidFields(domain.FieldErrors{"reason": domain.M("mr.field.reason")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		p, region, err := s.lockPending(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := s.setStatus(ctx, tx, sc, p, StatusRejected, reason); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "proposal.reject", "proposal", id, region, "")
	})
}

// setStatus moves a proposal and tells its children.
func (s *Service) setStatus(ctx context.Context, tx *store.Tx, sc domain.Scope, p Proposal, status, reason string) error {
	now := tx.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE proposals SET status = $1, reason = $2, moderated_by = $3, moderated_at = $4, updated_at = $4,
		version = version + 1 WHERE id = $5`, status, reason, sc.Actor(), now, p.ID); err != nil {
		return fmt.Errorf("musrenbang: status: %w", err)
	}
	if err := event(ctx, tx, p.ID, status, reason, sc.Actor()); err != nil {
		return err
	}
	args := []any{p.Title}
	if reason != "" {
		args = append(args, reason)
	}
	return s.tell(ctx, tx, p, "status:"+status+":"+now.Format("20060102150405"), i18n.T("id", "mr.msg."+status, args...), status)
}

// tell writes a message to the inbox of every child who proposed or
// supported p (once per key) and sends one SMS to each guardian phone
// given.
func (s *Service) tell(ctx context.Context, tx *store.Tx, p Proposal, key, text, status string) error {
	type kid struct{ id, guardian, village string }
	kids, err := store.Rows(ctx, tx, func(r *sql.Rows) (kid, error) {
		var k kid
		return k, r.Scan(&k.id, &k.guardian, &k.village)
	}, `SELECT c.id, c.guardian_enc, c.village_code FROM child_accounts c WHERE c.id IN (
		SELECT child_id FROM proposal_authors WHERE proposal_id = $1 UNION SELECT child_id FROM proposal_supports WHERE proposal_id = $1)
		ORDER BY c.id`, p.ID)
	if err != nil {
		return err
	}
	for _, k := range kids {
		dedupe := "p:" + p.ID + ":" + key + ":" + k.id
		res, err := tx.ExecContext(ctx, `INSERT INTO child_messages (id, child_id, proposal_id, text, dedupe, created_at) VALUES ($1,$2,$3,$4,$5,$6)
			ON CONFLICT (dedupe) DO NOTHING`, tx.NewID(), k.id, p.ID, text, dedupe, tx.Now())
		if err != nil {
			return fmt.Errorf("musrenbang: tell: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 || k.guardian == "" {
			continue
		}
		phone, err := s.st.Open(store.FieldChildGuardian, k.guardian)
		if err != nil {
			return err
		}
		sms := i18n.T("id", "sms.mr.status", domain.FormatPublicCode(p.Code), i18n.T("id", "mr.status."+status))
		if _, err := tx.EnqueueTo(ctx, store.PhoneMessage{Key: "guardian:" + dedupe, Channel: "sms", To: phone, Region: k.village, Body: sms}); err != nil {
			return err
		}
	}
	return nil
}

// Support records one child's support of an approved proposal (a second
// support by the same child changes nothing). It reports whether the
// support is new. via: web, sms. Authorization: the child (the caller has
// checked their session or registered phone).
func (s *Service) Support(ctx context.Context, childID, proposalID, via string) (bool, error) {
	added := false
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		added, err = s.support(ctx, tx, childID, proposalID, via)
		return err
	})
	return added, err
}

// support records a support in tx.
func (s *Service) support(ctx context.Context, tx *store.Tx, childID, proposalID, via string) (added bool, err error) {
	err = func() error {
		// One at a time per proposal (merges take the same lock), so the
		// count is every support's and none lands on a proposal being merged.
		if err := tx.Serialize(ctx, "proposal:"+proposalID); err != nil {
			return err
		}
		var status, merged string
		err := tx.QueryRowContext(ctx, `SELECT status, merged_into FROM proposals WHERE id = $1`, proposalID).Scan(&status, &merged)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("proposal")
		}
		if err != nil {
			return fmt.Errorf("musrenbang: support: %w", err)
		}
		if status == StatusMerged && merged != "" {
			proposalID = merged // a support of a merged proposal goes to the one it became
			if err := tx.Serialize(ctx, "proposal:"+proposalID); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT status FROM proposals WHERE id = $1`, proposalID).Scan(&status); err != nil {
				return fmt.Errorf("musrenbang: support: %w", err)
			}
		}
		if status != StatusApproved {
			return domain.E(domain.EConflict, "mr.err.not_open")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO proposal_supports (proposal_id, child_id, via, created_at) VALUES ($1,$2,$3,$4)
			ON CONFLICT (proposal_id, child_id) DO NOTHING`, proposalID, childID, via, tx.Now())
		if err != nil {
			return fmt.Errorf("musrenbang: support: %w", err)
		}
		n, _ := res.RowsAffected()
		if added = n == 1; !added {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE proposals SET supports = (SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = $1) WHERE id = $1`, proposalID)
		return err
	}()
	return added, err
}

// Merge joins approved proposals into a new one with the facilitator's
// title and text: every author is credited, the supports are the distinct
// supporters of all of them (nobody counted twice), the originals stay
// read-only ("merged into"), and every child concerned is told once.
// Split undoes it. Authorization: PermModerateProposals for every forum.
func (s *Service) Merge(ctx context.Context, sc domain.Scope, ids []string, title, body string) (Proposal, error) {
	title, body = strings.TrimSpace(title), strings.TrimSpace(body)
	f := checkText(title, body)
	if len(FindPII(title+"\n"+body)) > 0 {
		f["body"] = domain.M("mr.field.personal_data")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(seen) < 2 {
		f["ids"] = domain.M("mr.field.merge_two")
	}
	if len(f) > 0 {
		return Proposal{}, domain.InvalidFields(f)
	}
	var m Proposal
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var orig []Proposal
		var region string
		sorted := make([]string, 0, len(seen))
		for id := range seen {
			sorted = append(sorted, id)
		}
		sort.Strings(sorted)
		for _, id := range sorted {
			p, r, err := s.lock(ctx, tx, sc, id)
			if err != nil {
				return err
			}
			if p.Status != StatusApproved {
				return domain.E(domain.EConflict, "mr.err.merge_approved")
			}
			if p.Ticket != "" {
				return domain.E(domain.EConflict, "mr.err.merge_ticket")
			}
			orig, region = append(orig, p), r
		}
		first := orig[0]
		t, err := s.st.Seal(store.FieldProposalTitle, title)
		if err != nil {
			return err
		}
		b, err := s.st.Seal(store.FieldProposalBody, body)
		if err != nil {
			return err
		}
		now := tx.Now()
		m = Proposal{ID: tx.NewID(), Code: domain.NewPublicCode(), ForumID: first.ForumID, Title: title, Body: body, Cluster: first.Cluster,
			VillageCode: first.VillageCode, AgeGroup: first.AgeGroup, Status: StatusApproved, CreatedAt: now, Version: 1}
		if _, err := tx.ExecContext(ctx, `INSERT INTO proposals (id, code, forum_id, title_enc, body_enc, cluster, village_code, age_group, status,
			moderated_by, moderated_at, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'approved',$9,$10,$10,$10)`,
			m.ID, m.Code, m.ForumID, t, b, m.Cluster, m.VillageCode, m.AgeGroup, sc.Actor(), now); err != nil {
			return fmt.Errorf("musrenbang: merge: %w", err)
		}
		var codes []string
		for _, p := range orig {
			codes = append(codes, domain.FormatPublicCode(p.Code))
			for _, q := range []string{
				`INSERT INTO proposal_authors (proposal_id, child_id) SELECT $1, child_id FROM proposal_authors WHERE proposal_id = $2 ON CONFLICT DO NOTHING`,
				`INSERT INTO proposal_supports (proposal_id, child_id, via, created_at) SELECT $1, child_id, via, created_at FROM proposal_supports
					WHERE proposal_id = $2 ON CONFLICT DO NOTHING`,
			} {
				if _, err := tx.ExecContext(ctx, q, m.ID, p.ID); err != nil {
					return fmt.Errorf("musrenbang: merge: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE proposals SET status = 'merged', merged_into = $1, updated_at = $2, version = version + 1 WHERE id = $3`,
				m.ID, now, p.ID); err != nil {
				return fmt.Errorf("musrenbang: merge: %w", err)
			}
			if err := event(ctx, tx, p.ID, "merged", domain.FormatPublicCode(m.Code), sc.Actor()); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposals SET supports = (SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = $1) WHERE id = $1`, m.ID); err != nil {
			return fmt.Errorf("musrenbang: merge: %w", err)
		}
		if err := event(ctx, tx, m.ID, "merged_from", strings.Join(codes, ", "), sc.Actor()); err != nil {
			return err
		}
		// Everyone concerned (authors and supporters of the originals are
		// now the new proposal's) is told once.
		if err := s.tell(ctx, tx, m, "merged", i18n.T("id", "mr.msg.merged", strings.Join(codes, ", "), title), StatusMerged); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "proposal.merge", "proposal", m.ID, region, "from="+strings.Join(sorted, ","))
	})
	if err != nil {
		return Proposal{}, err
	}
	return s.Get(ctx, sc, m.ID)
}

// Split undoes a merge: the originals are approved again with their own
// authors and supports (and the supports given to the merged proposal
// meanwhile, so nobody's support is lost); the merged proposal is removed.
// A merged proposal with a golden ticket cannot be split. Authorization:
// PermModerateProposals for the forum.
func (s *Service) Split(ctx context.Context, sc domain.Scope, mergedID string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		m, region, err := s.lock(ctx, tx, sc, mergedID)
		if err != nil {
			return err
		}
		if m.Ticket != "" {
			return domain.E(domain.EConflict, "mr.err.merge_ticket")
		}
		origs, err := store.Rows(ctx, tx, func(r *sql.Rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		}, `SELECT id FROM proposals WHERE merged_into = $1 ORDER BY id`, mergedID)
		if err != nil {
			return err
		}
		if len(origs) == 0 {
			return domain.E(domain.EConflict, "mr.err.not_merged")
		}
		now := tx.Now()
		// The supports given to the merged proposal itself (by children
		// who supported none of the originals) go to every original.
		if _, err := tx.ExecContext(ctx, `UPDATE proposal_supports SET via = 'merge-new:' || via WHERE proposal_id = $1 AND child_id NOT IN (
			SELECT x.child_id FROM proposal_supports x JOIN proposals o ON o.id = x.proposal_id WHERE o.merged_into = $1)`, mergedID); err != nil {
			return fmt.Errorf("musrenbang: split: %w", err)
		}
		for _, id := range origs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO proposal_supports (proposal_id, child_id, via, created_at)
				SELECT $1, child_id, SUBSTR(via, 11), created_at FROM proposal_supports WHERE proposal_id = $2 AND via LIKE 'merge-new:%'
				ON CONFLICT DO NOTHING`, id, mergedID); err != nil {
				return fmt.Errorf("musrenbang: split: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE proposals SET status = 'approved', merged_into = '', updated_at = $1, version = version + 1,
				supports = (SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = $2) WHERE id = $2`, now, id); err != nil {
				return fmt.Errorf("musrenbang: split: %w", err)
			}
			if err := event(ctx, tx, id, "split", domain.FormatPublicCode(m.Code), sc.Actor()); err != nil {
				return err
			}
			ps, err := s.proposals(ctx, tx, "p.id = $1", "p.id", id)
			if err != nil {
				return err
			}
			if err := s.tell(ctx, tx, ps[0], "split:"+mergedID, i18n.T("id", "mr.msg.split", ps[0].Title), "split"); err != nil {
				return err
			}
		}
		// The merged proposal's messages stay in the inboxes; the
		// proposal itself goes.
		if _, err := tx.ExecContext(ctx, `DELETE FROM proposals WHERE id = $1`, mergedID); err != nil {
			return fmt.Errorf("musrenbang: split: %w", err)
		}
		return tx.Audit(ctx, sc, "proposal.split", "proposal", mergedID, region, "into="+strings.Join(origs, ","))
	})
}

// PublicFilter filters the public listing.
type PublicFilter struct {
	Region   string // the deployment's region, or a district or village inside it
	Cluster  string
	AgeGroup string
	Status   string // approved (open), ticket (with a golden ticket), "" both
	Sort     string // "support" (default) or "date"
}

// Public lists the public proposals: approved, with their supports and
// ticket stage; authors by nickname and age group only. Anyone may call
// it.
func (s *Service) Public(ctx context.Context, f PublicFilter) ([]Proposal, error) {
	where, args := store.ScopeClause("p.village_code", f.Region, 1)
	where += " AND p.status = 'approved'"
	if oneOf(f.Cluster, Clusters) {
		args = append(args, f.Cluster)
		where += fmt.Sprintf(" AND p.cluster = $%d", len(args))
	}
	if oneOf(f.AgeGroup, AgeGroups) {
		args = append(args, f.AgeGroup)
		where += fmt.Sprintf(" AND p.age_group = $%d", len(args))
	}
	switch f.Status {
	case "ticket":
		where += " AND t.id IS NOT NULL"
	case "open":
		where += " AND t.id IS NULL"
	}
	order := "p.supports DESC, p.created_at DESC"
	if f.Sort == "date" {
		order = "p.created_at DESC"
	}
	return s.proposals(ctx, s.st, where, order, args...)
}

// Track returns a proposal by its tracking code with its public timeline;
// the text only once it is public (approved or merged). Anyone may call
// it (the caller limits attempts per address).
func (s *Service) Track(ctx context.Context, code string) (Proposal, []Event, error) {
	c, ok := domain.NormalizePublicCode(code)
	if !ok {
		return Proposal{}, nil, domain.NotFound("proposal")
	}
	ps, err := s.proposals(ctx, s.st, "p.code = $1", "p.id", c)
	if err != nil {
		return Proposal{}, nil, err
	}
	if len(ps) != 1 {
		return Proposal{}, nil, domain.NotFound("proposal")
	}
	p := ps[0]
	if p.Status != StatusApproved && p.Status != StatusMerged {
		p.Title, p.Body = "", ""
	}
	evs, err := s.events(ctx, p.ID)
	return p, evs, err
}

func (s *Service) events(ctx context.Context, id string) ([]Event, error) {
	evs, err := store.Rows(ctx, s.st, func(r *sql.Rows) (Event, error) {
		var e Event
		return e, r.Scan(&e.Kind, &e.Detail, &e.At)
	}, `SELECT kind, detail, at FROM proposal_events WHERE proposal_id = $1 AND kind <> 'edited'
		UNION ALL SELECT 'ticket.' || x.stage, x.detail || CASE WHEN x.reason <> '' THEN ' — ' || x.reason ELSE '' END, x.at
		FROM ticket_steps x JOIN tickets t ON t.id = x.ticket_id WHERE t.proposal_id = $1 ORDER BY 3`, id)
	return evs, err
}

// Mine lists a child's own proposals (any status, text included) and the
// ones they support. Authorization: the child.
func (s *Service) Mine(ctx context.Context, childID string) (own, supported []Proposal, err error) {
	if own, err = s.proposals(ctx, s.st, "EXISTS (SELECT 1 FROM proposal_authors a WHERE a.proposal_id = p.id AND a.child_id = $1)",
		"p.created_at DESC", childID); err != nil {
		return nil, nil, err
	}
	supported, err = s.proposals(ctx, s.st, "EXISTS (SELECT 1 FROM proposal_supports x WHERE x.proposal_id = p.id AND x.child_id = $1)",
		"p.created_at DESC", childID)
	return own, supported, err
}

// Message is a message in a child's inbox.
type Message struct {
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// Inbox lists a child's messages, newest first, and marks them read.
// Authorization: the child.
func (s *Service) Inbox(ctx context.Context, childID string) ([]Message, error) {
	ms, err := store.Rows(ctx, s.st, func(r *sql.Rows) (Message, error) {
		var m Message
		var read sql.NullTime
		err := r.Scan(&m.Text, &m.CreatedAt, &read)
		m.Read = read.Valid
		return m, err
	}, `SELECT text, created_at, read_at FROM child_messages WHERE child_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100`, childID)
	if err != nil {
		return nil, err
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE child_messages SET read_at = $1 WHERE child_id = $2 AND read_at IS NULL`, tx.Now(), childID)
		return err
	})
	return ms, err
}

// SMS support outcomes.
const (
	SupportAdded   = "added"   // counted
	SupportAgain   = "again"   // this child supported it before
	SupportNoChild = "nochild" // the phone is not a child's
	SupportUnknown = "unknown" // no public proposal has the code
	SupportClosed  = "closed"  // the proposal cannot be supported
)

// SupportBySMS records the support of the child whose registered phone
// has lookup hash phoneHash for the proposal with code, inside the
// message's transaction. Authorization: intake, for a message from the
// child's registered phone.
func (s *Service) SupportBySMS(ctx context.Context, tx *store.Tx, phoneHash, code string) (string, error) {
	var childID string
	err := tx.QueryRowContext(ctx, `SELECT id FROM child_accounts WHERE phone_hash = $1 AND phone_hash <> '' AND disabled_at IS NULL
		ORDER BY created_at LIMIT 1`, phoneHash).Scan(&childID)
	if errors.Is(err, sql.ErrNoRows) {
		return SupportNoChild, nil
	}
	if err != nil {
		return "", fmt.Errorf("musrenbang: sms support: %w", err)
	}
	var id, status string
	err = tx.QueryRowContext(ctx, `SELECT id, status FROM proposals WHERE code = $1`, code).Scan(&id, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != StatusApproved && status != StatusMerged) {
		return SupportUnknown, nil
	}
	if err != nil {
		return "", fmt.Errorf("musrenbang: sms support: %w", err)
	}
	added, err := s.support(ctx, tx, childID, id, "sms")
	switch {
	case domain.CodeOf(err) == domain.EConflict:
		return SupportClosed, nil
	case err != nil:
		return "", err
	case !added:
		return SupportAgain, nil
	}
	return SupportAdded, nil
}

// Photo returns a proposal's photo: for anyone once the proposal is
// public (by its tracking code), for its moderators before (by id when
// sc is not nil). Views by moderators are audited.
func (s *Service) Photo(ctx context.Context, sc *domain.Scope, idOrCode string) (string, []byte, error) {
	col := "code"
	if sc != nil {
		col = "id"
	}
	var id, forum, status, mime, enc, village string
	err := s.st.QueryRowContext(ctx, `SELECT id, forum_id, status, photo_type, photo_enc, village_code FROM proposals WHERE `+col+` = $1`, idOrCode).
		Scan(&id, &forum, &status, &mime, &enc, &village)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && enc == "") {
		return "", nil, domain.NotFound("photo")
	}
	if err != nil {
		return "", nil, fmt.Errorf("musrenbang: photo: %w", err)
	}
	if sc == nil {
		if status != StatusApproved && status != StatusMerged {
			return "", nil, domain.NotFound("photo")
		}
	} else {
		region, err := s.mayModerate(ctx, s.st, *sc, forum)
		if err != nil {
			return "", nil, domain.NotFound("photo")
		}
		if err := s.st.Audit(ctx, *sc, "proposal.photo_view", "proposal", id, region, ""); err != nil {
			return "", nil, err
		}
	}
	data, err := s.st.Open(store.FieldProposalPhoto, enc)
	return mime, []byte(data), err
}

// RemovePhoto removes a pending proposal's photo (a child's face, a
// name on a sign). Authorization: PermModerateProposals for the forum.
func (s *Service) RemovePhoto(ctx context.Context, sc domain.Scope, id string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		_, region, err := s.lockPending(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE proposals SET photo_type = '', photo_enc = '', updated_at = $1, version = version + 1 WHERE id = $2`,
			tx.Now(), id); err != nil {
			return fmt.Errorf("musrenbang: remove photo: %w", err)
		}
		return tx.Audit(ctx, sc, "proposal.photo_remove", "proposal", id, region, "")
	})
}
