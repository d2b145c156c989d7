// Package musrenbang is the area of the children's planning channel
// (Musrenbang Anak, SPEC G): children's forums and their facilitators;
// children registered without e-mail (nickname, age group, village,
// guardian consent) who sign in with a login code; proposals that stay
// private until a facilitator has removed any personal data and approved
// them; one support per child; lossless, reversible merges; golden tickets
// followed from the Musrenbang into the regional plan (RKPD), the budget
// (APBD) and the finished work; the planning calendar; and every status
// change told to the children who proposed or supported.
package musrenbang

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// Service is the area on a store.
type Service struct{ st *store.Store }

// New returns the area.
func New(st *store.Store) *Service { return &Service{st: st} }

// AgeGroups are the children's age groups.
var AgeGroups = []string{"6-9", "10-12", "13-15", "16-17"}

// Clusters are the KLA clusters a proposal belongs to.
var Clusters = []string{"I", "II", "III", "IV", "V"}

func oneOf(x string, xs []string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Forum is a children's forum.
type Forum struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	RegionCode   string   `json:"region_code"`
	RegionName   string   `json:"region_name"`
	Facilitators []string `json:"facilitators"`
	Children     int      `json:"children"`
}

// mayModerate checks that sc moderates forum: an admin whose region
// contains the forum's, or one of the forum's facilitators. It returns the
// forum's region.
func (s *Service) mayModerate(ctx context.Context, q store.Querier, sc domain.Scope, forumID string) (string, error) {
	if !sc.Can(domain.PermModerateProposals) {
		return "", domain.E(domain.EForbidden, "error.forbidden")
	}
	var region string
	err := q.QueryRowContext(ctx, `SELECT region_code FROM forums WHERE id = $1`, forumID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
		return "", domain.NotFound("forum")
	}
	if err != nil {
		return "", fmt.Errorf("musrenbang: forum: %w", err)
	}
	if sc.System || sc.Can(domain.PermManageUsers) {
		return region, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM forum_facilitators WHERE forum_id = $1 AND user_id = $2`, forumID, sc.UserID).Scan(&n); err != nil {
		return "", fmt.Errorf("musrenbang: forum: %w", err)
	}
	if n == 0 {
		return "", domain.NotFound("forum")
	}
	return region, nil
}

// CreateForum registers a forum in a region inside the caller's; a
// facilitator who creates it facilitates it. Authorization:
// PermModerateProposals.
func (s *Service) CreateForum(ctx context.Context, sc domain.Scope, name, region string) (Forum, error) {
	if !sc.Can(domain.PermModerateProposals) {
		return Forum{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	name = strings.TrimSpace(name)
	f := domain.FieldErrors{}
	if name == "" || utf8.RuneCountInString(name) > 200 {
		f["name"] = domain.M("mr.field.forum_name")
	}
	if region == "" || !sc.Contains(region) {
		f["region_code"] = domain.M("mr.field.region")
	}
	if len(f) > 0 {
		return Forum{}, domain.InvalidFields(f)
	}
	fo := Forum{Name: name, RegionCode: region}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, region).Scan(&n); err != nil || n == 0 {
			return domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("mr.field.region")})
		}
		fo.ID = tx.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO forums (id, name, region_code, created_by, created_at) VALUES ($1,$2,$3,$4,$5)`,
			fo.ID, name, region, sc.Actor(), tx.Now()); err != nil {
			return fmt.Errorf("musrenbang: create forum: %w", err)
		}
		if sc.UserID != "" && !sc.Can(domain.PermManageUsers) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO forum_facilitators (forum_id, user_id) VALUES ($1,$2)`, fo.ID, sc.UserID); err != nil {
				return fmt.Errorf("musrenbang: create forum: %w", err)
			}
		}
		return tx.Audit(ctx, sc, "forum.create", "forum", fo.ID, region, "")
	})
	return fo, err
}

// AddFacilitator makes a facilitator account one of a forum's
// facilitators. Authorization: an admin (PermManageUsers) of the forum's
// region.
func (s *Service) AddFacilitator(ctx context.Context, sc domain.Scope, forumID, userID string) error {
	if !sc.Can(domain.PermManageUsers) || !sc.Can(domain.PermModerateProposals) {
		return domain.E(domain.EForbidden, "error.forbidden")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		region, err := s.mayModerate(ctx, tx, sc, forumID)
		if err != nil {
			return err
		}
		var role, urgn string
		err = tx.QueryRowContext(ctx, `SELECT role, region_code FROM users WHERE id = $1`, userID).Scan(&role, &urgn)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (role != string(domain.RoleFacilitator) || !domain.RegionWithin(region, urgn))) {
			return domain.InvalidFields(domain.FieldErrors{"user_id": domain.M("mr.field.facilitator")})
		}
		if err != nil {
			return fmt.Errorf("musrenbang: facilitator: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_facilitators (forum_id, user_id) VALUES ($1,$2) ON CONFLICT DO NOTHING`, forumID, userID); err != nil {
			return fmt.Errorf("musrenbang: facilitator: %w", err)
		}
		return tx.Audit(ctx, sc, "forum.facilitator", "forum", forumID, region, "user="+userID)
	})
}

// Forums lists the forums the caller moderates (an admin: every forum of
// the region). Authorization: PermModerateProposals.
func (s *Service) Forums(ctx context.Context, sc domain.Scope) ([]Forum, error) {
	if !sc.Can(domain.PermModerateProposals) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("f.region_code", sc.RegionCode, 1)
	if !sc.System && !sc.Can(domain.PermManageUsers) {
		args = append(args, sc.UserID)
		where += fmt.Sprintf(" AND EXISTS (SELECT 1 FROM forum_facilitators x WHERE x.forum_id = f.id AND x.user_id = $%d)", len(args))
	}
	fs, err := store.Rows(ctx, s.st, func(r *sql.Rows) (Forum, error) {
		var f Forum
		return f, r.Scan(&f.ID, &f.Name, &f.RegionCode, &f.RegionName, &f.Children)
	}, `SELECT f.id, f.name, f.region_code, COALESCE(g.name, f.region_code),
		(SELECT COUNT(*) FROM child_accounts c WHERE c.forum_id = f.id AND c.disabled_at IS NULL)
		FROM forums f LEFT JOIN regions g ON g.code = f.region_code WHERE `+where+` ORDER BY f.name`, args...)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		fs[i].Facilitators, err = store.Rows(ctx, s.st, func(r *sql.Rows) (string, error) {
			var u string
			return u, r.Scan(&u)
		}, `SELECT u.username FROM forum_facilitators x JOIN users u ON u.id = x.user_id WHERE x.forum_id = $1 ORDER BY u.username`, fs[i].ID)
		if err != nil {
			return nil, err
		}
	}
	return fs, nil
}

// PublicForums lists every forum of a region (names only), for the public
// proposal form. Anyone may call it.
func (s *Service) PublicForums(ctx context.Context, region string) ([]Forum, error) {
	where, args := store.ScopeClause("f.region_code", region, 1)
	return store.Rows(ctx, s.st, func(r *sql.Rows) (Forum, error) {
		var f Forum
		return f, r.Scan(&f.ID, &f.Name, &f.RegionCode, &f.RegionName)
	}, `SELECT f.id, f.name, f.region_code, COALESCE(g.name, f.region_code) FROM forums f LEFT JOIN regions g ON g.code = f.region_code
		WHERE `+where+` ORDER BY f.name`, args...)
}

// NewChild is a child registered by a facilitator.
type NewChild struct {
	ForumID       string `json:"forum_id"`
	Nickname      string `json:"nickname"` // a first name or a nickname: one word
	AgeGroup      string `json:"age_group"`
	VillageCode   string `json:"village_code"`
	ConsentBy     string `json:"consent_by"` // who gave the guardian's consent (e.g. "ibu", "ayah", "wali")
	Phone         string `json:"phone,omitempty"`
	GuardianPhone string `json:"guardian_phone,omitempty"`
}

// Child is a child account as a facilitator sees it.
type Child struct {
	ID          string    `json:"id"`
	ForumID     string    `json:"forum_id"`
	ForumName   string    `json:"forum_name"`
	Nickname    string    `json:"nickname"`
	AgeGroup    string    `json:"age_group"`
	VillageCode string    `json:"village_code"`
	VillageName string    `json:"village_name"`
	ConsentBy   string    `json:"consent_by"`
	HasPhone    bool      `json:"has_phone"`
	HasGuardian bool      `json:"has_guardian_phone"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
}

// validNickname is one word of letters (a first name or a nickname): a
// surname cannot be registered.
func validNickname(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 20 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '\'' && r != '-' {
			return false
		}
	}
	return true
}

// codeHash is the hash of a login code (normalised: lower case, without
// spaces and dashes). A plain SHA-256, like a session's: the code has 78
// random bits, and a keyed hash could not be recomputed when the keys
// rotate (the code is not kept).
func (s *Service) codeHash(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		if r != '-' && !unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	return sessionHash("child-code:" + b.String())
}

// RegisterChild registers a child of a forum the caller moderates and
// returns the account with its login code (shown once). Authorization:
// PermModerateProposals for the forum.
func (s *Service) RegisterChild(ctx context.Context, sc domain.Scope, nc NewChild) (Child, string, error) {
	nc.Nickname, nc.ConsentBy = strings.TrimSpace(nc.Nickname), strings.TrimSpace(nc.ConsentBy)
	f := domain.FieldErrors{}
	if !validNickname(nc.Nickname) {
		f["nickname"] = domain.M("mr.field.nickname")
	}
	if !oneOf(nc.AgeGroup, AgeGroups) {
		f["age_group"] = domain.M("mr.field.age_group")
	}
	if nc.ConsentBy == "" || utf8.RuneCountInString(nc.ConsentBy) > 60 {
		f["consent_by"] = domain.M("mr.field.consent")
	}
	phone, guardian := "", ""
	if strings.TrimSpace(nc.Phone) != "" {
		p, ok := domain.NormalizePhone(nc.Phone)
		if !ok {
			f["phone"] = domain.M("mr.field.phone")
		}
		phone = p
	}
	if strings.TrimSpace(nc.GuardianPhone) != "" {
		p, ok := domain.NormalizePhone(nc.GuardianPhone)
		if !ok {
			f["guardian_phone"] = domain.M("mr.field.phone")
		}
		guardian = p
	}
	if len(f) > 0 {
		return Child{}, "", domain.InvalidFields(f)
	}
	code := auth.GeneratePassword()
	var c Child
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		region, err := s.mayModerate(ctx, tx, sc, nc.ForumID)
		if err != nil {
			return err
		}
		if !domain.RegionWithin(nc.VillageCode, region) || domain.RegionLevelOf(nc.VillageCode) != domain.LevelVillage {
			return domain.InvalidFields(domain.FieldErrors{"village_code": domain.M("mr.field.village")})
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, nc.VillageCode).Scan(&n); err != nil || n == 0 {
			return domain.InvalidFields(domain.FieldErrors{"village_code": domain.M("mr.field.village")})
		}
		nick, err := s.st.Seal(store.FieldChildNickname, nc.Nickname)
		if err != nil {
			return err
		}
		ph, phHash, gu, guHash := "", "", "", ""
		if phone != "" {
			if ph, err = s.st.Seal(store.FieldChildPhone, phone); err != nil {
				return err
			}
			phHash = s.st.LookupHash(store.HashPhone, phone)
		}
		if guardian != "" {
			if gu, err = s.st.Seal(store.FieldChildGuardian, guardian); err != nil {
				return err
			}
			guHash = s.st.LookupHash(store.HashPhone, guardian)
		}
		c = Child{ID: tx.NewID(), ForumID: nc.ForumID, Nickname: nc.Nickname, AgeGroup: nc.AgeGroup, VillageCode: nc.VillageCode,
			ConsentBy: nc.ConsentBy, HasPhone: phone != "", HasGuardian: guardian != "", CreatedAt: tx.Now()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO child_accounts (id, forum_id, nickname_enc, age_group, village_code, consent_by, consent_at,
			code_hash, phone_enc, phone_hash, guardian_enc, guardian_hash, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
			c.ID, nc.ForumID, nick, nc.AgeGroup, nc.VillageCode, nc.ConsentBy, c.CreatedAt, s.codeHash(code), ph, phHash, gu, guHash,
			sc.Actor(), c.CreatedAt); err != nil {
			return fmt.Errorf("musrenbang: register child: %w", err)
		}
		return tx.Audit(ctx, sc, "child.register", "child", c.ID, region, "")
	})
	return c, code, err
}

// ResetCode gives a child a new login code (the old one stops working and
// the child's sessions end). Authorization: as RegisterChild.
func (s *Service) ResetCode(ctx context.Context, sc domain.Scope, childID string) (string, error) {
	code := auth.GeneratePassword()
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var forum string
		err := tx.QueryRowContext(ctx, `SELECT forum_id FROM child_accounts WHERE id = $1`, childID).Scan(&forum)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("child")
		}
		if err != nil {
			return fmt.Errorf("musrenbang: reset code: %w", err)
		}
		region, err := s.mayModerate(ctx, tx, sc, forum)
		if err != nil {
			return domain.NotFound("child")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE child_accounts SET code_hash = $1 WHERE id = $2`, s.codeHash(code), childID); err != nil {
			return fmt.Errorf("musrenbang: reset code: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM child_sessions WHERE child_id = $1`, childID); err != nil {
			return fmt.Errorf("musrenbang: reset code: %w", err)
		}
		return tx.Audit(ctx, sc, "child.reset_code", "child", childID, region, "")
	})
	return code, err
}

// Children lists a forum's children. Authorization: as RegisterChild.
func (s *Service) Children(ctx context.Context, sc domain.Scope, forumID string) ([]Child, error) {
	region, err := s.mayModerate(ctx, s.st, sc, forumID)
	if err != nil {
		return nil, err
	}
	// The children's nicknames and villages: every view is audited.
	if err := s.st.Audit(ctx, sc, "forum.children_view", "forum", forumID, region, ""); err != nil {
		return nil, err
	}
	return s.children(ctx, `c.forum_id = $1`, forumID)
}

func (s *Service) children(ctx context.Context, where string, args ...any) ([]Child, error) {
	return store.Rows(ctx, s.st, func(r *sql.Rows) (Child, error) {
		var c Child
		var nick string
		var disabled sql.NullTime
		if err := r.Scan(&c.ID, &c.ForumID, &c.ForumName, &nick, &c.AgeGroup, &c.VillageCode, &c.VillageName, &c.ConsentBy, &c.HasPhone,
			&c.HasGuardian, &disabled, &c.CreatedAt); err != nil {
			return c, err
		}
		c.Disabled = disabled.Valid
		var err error
		c.Nickname, err = s.st.Open(store.FieldChildNickname, nick)
		return c, err
	}, `SELECT c.id, c.forum_id, f.name, c.nickname_enc, c.age_group, c.village_code, COALESCE(g.name, c.village_code), c.consent_by,
		c.phone_hash <> '', c.guardian_hash <> '', c.disabled_at, c.created_at
		FROM child_accounts c JOIN forums f ON f.id = c.forum_id LEFT JOIN regions g ON g.code = c.village_code WHERE `+where+` ORDER BY c.created_at`, args...)
}

// ChildSessionTTL is how long a child stays signed in.
const ChildSessionTTL = 8 * time.Hour

// ErrBadCode says a login code is not a child's.
var ErrBadCode = domain.E(domain.EUnauthorized, "mr.err.bad_code")

func sessionHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// SignIn signs a child in with their login code and returns the session
// token and its CSRF token. The caller limits attempts (per address).
// Anyone may call it.
func (s *Service) SignIn(ctx context.Context, code string) (token, csrf string, c Child, err error) {
	cs, err := s.children(ctx, `c.code_hash = $1 AND c.disabled_at IS NULL`, s.codeHash(code))
	if err != nil {
		return "", "", Child{}, err
	}
	if len(cs) != 1 {
		return "", "", Child{}, ErrBadCode
	}
	c = cs[0]
	token, csrf = randomHex(32), randomHex(16)
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM child_sessions WHERE expires_at < $1`, now); err != nil {
			return fmt.Errorf("musrenbang: sign in: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO child_sessions (token_hash, child_id, csrf, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)`,
			sessionHash(token), c.ID, csrf, now, now.Add(ChildSessionTTL)); err != nil {
			return fmt.Errorf("musrenbang: sign in: %w", err)
		}
		return tx.Audit(ctx, domain.Scope{Username: "anak"}, "child.sign_in", "child", c.ID, c.VillageCode, "")
	})
	return token, csrf, c, err
}

// Session returns the child of a session token and its CSRF token.
// Anyone may call it.
func (s *Service) Session(ctx context.Context, token string) (Child, string, error) {
	if token == "" {
		return Child{}, "", ErrBadCode
	}
	var id, csrf string
	err := s.st.QueryRowContext(ctx, `SELECT child_id, csrf FROM child_sessions WHERE token_hash = $1 AND expires_at > $2`,
		sessionHash(token), s.st.Now()).Scan(&id, &csrf)
	if errors.Is(err, sql.ErrNoRows) {
		return Child{}, "", ErrBadCode
	}
	if err != nil {
		return Child{}, "", fmt.Errorf("musrenbang: session: %w", err)
	}
	cs, err := s.children(ctx, `c.id = $1 AND c.disabled_at IS NULL`, id)
	if err != nil || len(cs) != 1 {
		return Child{}, "", ErrBadCode
	}
	return cs[0], csrf, nil
}

// SignOut ends a child's session. Anyone may call it.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM child_sessions WHERE token_hash = $1`, sessionHash(token))
		return err
	})
}

// mayPlan checks that sc records tickets: an admin of the regency (or
// above), or an operator of the planning agency (bappeda).
func (s *Service) mayPlan(ctx context.Context, sc domain.Scope) error {
	if !sc.Can(domain.PermPlanTickets) {
		return domain.E(domain.EForbidden, "error.forbidden")
	}
	if sc.System {
		return nil
	}
	// The golden tickets are the regency's (its Musrenbang, RKPD, APBD):
	// not a district's.
	if sc.RegionCode != "" && domain.RegionLevelOf(sc.RegionCode) > domain.LevelRegency {
		return domain.E(domain.EForbidden, "mr.err.not_planner")
	}
	if sc.Can(domain.PermManageKLA) {
		return nil
	}
	ag, err := kla.UserAgency(ctx, s.st, sc.UserID)
	if err != nil {
		return err
	}
	if ag != "bappeda" {
		return domain.E(domain.EForbidden, "mr.err.not_planner")
	}
	return nil
}

// Village is a village to choose, with its district.
type Village struct {
	Code, Name, District string
}

// Villages lists the villages in region (the region itself when it is a
// village), by district and name, at most 1,000. Reference data: anyone
// may call it.
func (s *Service) Villages(ctx context.Context, region string) ([]Village, error) {
	where, args := store.ScopeClause("v.code", region, 1)
	return store.Rows(ctx, s.st, func(r *sql.Rows) (Village, error) {
		var v Village
		return v, r.Scan(&v.Code, &v.Name, &v.District)
	}, `SELECT v.code, v.name, COALESCE(d.name, '') FROM regions v LEFT JOIN regions d ON d.code = v.parent_code
		WHERE `+where+` AND v.level = 4 ORDER BY d.name, v.name LIMIT 1000`, args...)
}
