package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/auth"
	"lindu/internal/domain"
)

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,39}$`)

const userCols = `u.id, u.username, u.role, u.region_code, COALESCE(r.name, ''), u.full_name_enc, u.email_enc,
	u.phone_enc, u.totp_enabled, u.disabled, u.created_at, u.updated_at, u.last_login_at`

// userReadCols is userCols plus the KLA agency, as scanUser reads them
// (sessions and tokens scan userCols alone).
const userReadCols = userCols + `, u.agency`

type userRow struct {
	domain.User
	fullNameEnc, emailEnc, phoneEnc string
}

func scanUser(sc interface{ Scan(...any) error }) (userRow, error) {
	var u userRow
	var last sql.NullTime
	err := sc.Scan(&u.ID, &u.Username, &u.Role, &u.RegionCode, &u.RegionName, &u.fullNameEnc, &u.emailEnc,
		&u.phoneEnc, &u.TOTPEnabled, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &last, &u.Agency)
	if last.Valid {
		t := last.Time.UTC()
		u.LastLoginAt = &t
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// reveal decrypts the personal fields into u.User.
func (s *Store) reveal(u *userRow) error {
	var err error
	if u.FullName, err = s.box.Decrypt(FieldUserFullName, u.fullNameEnc); err != nil {
		return fmt.Errorf("store: user %s: %w", u.ID, err)
	}
	if u.Email, err = s.box.Decrypt(FieldUserEmail, u.emailEnc); err != nil {
		return fmt.Errorf("store: user %s: %w", u.ID, err)
	}
	if u.Phone, err = s.box.Decrypt(FieldUserPhone, u.phoneEnc); err != nil {
		return fmt.Errorf("store: user %s: %w", u.ID, err)
	}
	return nil
}

func hasPersonal(u userRow) bool { return u.fullNameEnc != "" || u.emailEnc != "" || u.phoneEnc != "" }

// validateUserFields checks the personal fields, returning normalised values.
func validateContact(fields map[string]string, email, phone string) (string, string) {
	email = strings.TrimSpace(email)
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 200 {
			fields["email"] = "not a valid e-mail address"
		}
	}
	phone = strings.TrimSpace(phone)
	if phone != "" {
		p, ok := domain.NormalizePhone(phone)
		if !ok {
			fields["phone"] = "not a valid Indonesian phone number, e.g. 0812 3456 7890"
		}
		phone = p
	}
	return email, phone
}

// CreateUser adds a user. Authorization: PermManageUsers, and the new user's
// region must lie inside the caller's region.
func (s *Store) CreateUser(ctx context.Context, sc domain.Scope, nu domain.NewUser) (domain.User, error) {
	fields := map[string]string{}
	nu.Username = strings.ToLower(strings.TrimSpace(nu.Username))
	if !usernameRE.MatchString(nu.Username) {
		fields["username"] = "3-40 characters: lower-case letters, digits, dot, dash, underscore"
	}
	if !nu.Role.Valid() {
		fields["role"] = "unknown role"
	}
	if !domain.ValidRegionCode(nu.RegionCode) {
		fields["region_code"] = "not a Kemendagri region code, e.g. 61.07"
	}
	if reason := auth.CheckPasswordPolicyFor(nu.Username, nu.Password); reason != "" {
		fields["password"] = reason
	}
	nu.FullName = strings.TrimSpace(nu.FullName)
	if len(nu.FullName) > 200 {
		fields["full_name"] = "at most 200 characters"
	}
	nu.Email, nu.Phone = validateContact(fields, nu.Email, nu.Phone)
	if len(fields) > 0 {
		return domain.User{}, domain.Invalid("please correct the marked fields", fields)
	}
	if !sc.Can(domain.PermManageUsers) {
		return domain.User{}, domain.Errorf(domain.EForbidden, "your role may not manage users")
	}
	if !access.CanGrantRole(sc, nu.Role, nu.RegionCode) {
		return domain.User{}, domain.Invalid("please correct the marked fields",
			map[string]string{"region_code": "outside your region"})
	}
	hash, err := auth.HashPassword(nu.Password, auth.DefaultParams)
	if err != nil {
		return domain.User{}, fmt.Errorf("store: hash password: %w", err)
	}
	now := s.utc()
	id := newID(now)
	enc := func(field, v string) string {
		if err != nil {
			return ""
		}
		var c string
		c, err = s.box.Encrypt(field, v)
		return c
	}
	fn, em, ph := enc(FieldUserFullName, nu.FullName), enc(FieldUserEmail, nu.Email), enc(FieldUserPhone, nu.Phone)
	if err != nil {
		return domain.User{}, fmt.Errorf("store: encrypt: %w", err)
	}
	var phoneHash any
	if nu.Phone != "" {
		phoneHash = s.box.Hash(HashPhone, nu.Phone)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var ok int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, nu.RegionCode).Scan(&ok); err != nil {
			return fmt.Errorf("store: check region: %w", err)
		}
		if ok == 0 {
			return domain.Invalid("please correct the marked fields", map[string]string{"region_code": "no such region"})
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, role, region_code, full_name_enc, email_enc,
			phone_enc, phone_hash, password_hash, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
			id, nu.Username, string(nu.Role), nu.RegionCode, fn, em, ph, phoneHash, hash, now, now)
		if isUniqueViolation(err) {
			if strings.Contains(err.Error(), "phone") {
				return domain.Invalid("please correct the marked fields", map[string]string{"phone": "another user has this phone number"})
			}
			return domain.Invalid("please correct the marked fields", map[string]string{"username": "this username is taken"})
		}
		if err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		return s.audit(ctx, tx, sc, "user.create", "user", id, nu.RegionCode,
			"role="+string(nu.Role)+" username="+nu.Username)
	})
	if err != nil {
		return domain.User{}, err
	}
	return s.getUser(ctx, sc, id, false)
}

// GetUser returns a user inside sc's region (else not found). Personal
// fields are filled only when sc may see personal data, and that read is
// audited. Authorization: PermViewUsers, or the user themself.
func (s *Store) GetUser(ctx context.Context, sc domain.Scope, id string) (domain.User, error) {
	return s.getUser(ctx, sc, id, true)
}

// getUser is GetUser; audit=false after a change the caller just made
// (the change itself is audited).
func (s *Store) getUser(ctx context.Context, sc domain.Scope, id string, audit bool) (domain.User, error) {
	if !sc.Can(domain.PermViewUsers) && sc.UserID != id {
		return domain.User{}, domain.NotFound("user")
	}
	where, args := scopeClause("u.region_code", sc.RegionCode, 2)
	row := s.r.QueryRowContext(ctx, `SELECT `+userReadCols+` FROM users u LEFT JOIN regions r ON r.code = u.region_code
		WHERE u.id = $1 AND `+where, append([]any{id}, args...)...)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.User{}, domain.NotFound("user")
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("store: get user: %w", err)
	}
	if !sc.Personal {
		u.PersonalMasked = hasPersonal(u)
		return u.User, nil
	}
	if err := s.reveal(&u); err != nil {
		return domain.User{}, err
	}
	if audit && hasPersonal(u) && sc.UserID != id {
		if err := s.Audit(ctx, sc, "user.view_personal", "user", id, u.RegionCode, "fields=full_name,email,phone"); err != nil {
			return domain.User{}, err
		}
	}
	return u.User, nil
}

// ListUsers returns users inside sc's region, without personal fields.
// Authorization: PermViewUsers.
func (s *Store) ListUsers(ctx context.Context, sc domain.Scope, f domain.UserFilter) ([]domain.User, int, error) {
	if !sc.Can(domain.PermViewUsers) {
		return nil, 0, domain.Errorf(domain.EForbidden, "your role may not list users")
	}
	where, args := scopeClause("u.region_code", sc.RegionCode, 1)
	conds := []string{where}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Role != "" {
		conds = append(conds, "u.role = "+arg(string(f.Role)))
	}
	if f.RegionCode != "" {
		c, a := scopeClause("u.region_code", f.RegionCode, len(args)+1)
		conds = append(conds, c)
		args = append(args, a...)
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		conds = append(conds, "u.username LIKE "+arg("%"+strings.NewReplacer("%", "", "_", "").Replace(q)+"%"))
	}
	w := strings.Join(conds, " AND ")
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	offset := max(f.Offset, 0)
	rows, err := s.r.QueryContext(ctx, `SELECT `+userReadCols+` FROM users u LEFT JOIN regions r ON r.code = u.region_code
		WHERE `+w+` ORDER BY u.region_code, u.username LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	out := []domain.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: list users: %w", err)
		}
		u.PersonalMasked = hasPersonal(u)
		out = append(out, u.User)
	}
	return out, total, rows.Err()
}

// UpdateUser changes a user inside sc's region. Authorization:
// PermManageUsers (any field), or the user themself (name, e-mail, phone).
// One's own password is changed only by SetOwnPassword, after the current
// password (and code) were checked: whoever holds a stolen session must not
// take the account over. Disabling a user or changing the password ends
// their sessions.
func (s *Store) UpdateUser(ctx context.Context, sc domain.Scope, id string, up domain.UserUpdate) (domain.User, error) {
	if sc.UserID == id && !sc.System && up.Password != nil {
		return domain.User{}, domain.Errorf(domain.EForbidden,
			"change your own password on the account page: it asks for the current one")
	}
	return s.updateUser(ctx, sc, id, up)
}

// SetOwnPassword changes the caller's own password, ending all their
// sessions and revoking their API tokens. Authorization: the caller
// themself, and the caller (the account page) must have checked the current
// password and, with TOTP on, a current code.
func (s *Store) SetOwnPassword(ctx context.Context, sc domain.Scope, pw string) error {
	if sc.UserID == "" {
		return domain.Errorf(domain.EForbidden, "not a user")
	}
	_, err := s.updateUser(ctx, sc, sc.UserID, domain.UserUpdate{Password: &pw})
	return err
}

func (s *Store) updateUser(ctx context.Context, sc domain.Scope, id string, up domain.UserUpdate) (domain.User, error) {
	self := sc.UserID == id
	manage := sc.Can(domain.PermManageUsers)
	if !manage && !self {
		return domain.User{}, domain.NotFound("user")
	}
	if !manage && (up.Role != nil || up.RegionCode != nil || up.Disabled != nil) {
		return domain.User{}, domain.Errorf(domain.EForbidden, "only an administrator may change role, region or status")
	}
	fields := map[string]string{}
	sets := []string{}
	var args []any
	var changed []string
	set := func(col string, v any, name string) {
		args = append(args, v)
		sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
		if name != "" {
			changed = append(changed, name)
		}
	}
	if up.Role != nil {
		if !up.Role.Valid() {
			fields["role"] = "unknown role"
		}
		set("role", string(*up.Role), "role="+string(*up.Role))
	}
	if up.RegionCode != nil {
		if !domain.ValidRegionCode(*up.RegionCode) {
			fields["region_code"] = "not a Kemendagri region code, e.g. 61.07"
		} else if !sc.Contains(*up.RegionCode) {
			fields["region_code"] = "outside your region"
		}
		set("region_code", *up.RegionCode, "region_code="+*up.RegionCode)
	}
	if up.Disabled != nil {
		if self && *up.Disabled {
			fields["disabled"] = "you cannot disable your own account"
		}
		set("disabled", *up.Disabled, "disabled="+strconv.FormatBool(*up.Disabled))
	}
	var email, phone string
	if up.Email != nil || up.Phone != nil {
		e, p := "", ""
		if up.Email != nil {
			e = *up.Email
		}
		if up.Phone != nil {
			p = *up.Phone
		}
		email, phone = validateContact(fields, e, p)
	}
	var encErr error
	enc := func(field, v string) string {
		c, err := s.box.Encrypt(field, v)
		if err != nil {
			encErr = err
		}
		return c
	}
	if up.FullName != nil {
		n := strings.TrimSpace(*up.FullName)
		if len(n) > 200 {
			fields["full_name"] = "at most 200 characters"
		}
		set("full_name_enc", enc(FieldUserFullName, n), "full_name")
	}
	if up.Email != nil {
		set("email_enc", enc(FieldUserEmail, email), "email")
	}
	if up.Phone != nil {
		set("phone_enc", enc(FieldUserPhone, phone), "phone")
		var h any
		if phone != "" {
			h = s.box.Hash(HashPhone, phone)
		}
		set("phone_hash", h, "")
	}
	if up.Password != nil {
		var username string // for the policy only; the update below is scoped
		if err := s.r.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, id).Scan(&username); err != nil &&
			!errors.Is(err, sql.ErrNoRows) {
			return domain.User{}, fmt.Errorf("store: update user: %w", err)
		}
		if reason := auth.CheckPasswordPolicyFor(username, *up.Password); reason != "" {
			fields["password"] = reason
		} else {
			h, err := auth.HashPassword(*up.Password, auth.DefaultParams)
			if err != nil {
				return domain.User{}, fmt.Errorf("store: hash password: %w", err)
			}
			set("password_hash", h, "password")
		}
	}
	if len(fields) > 0 {
		return domain.User{}, domain.Invalid("please correct the marked fields", fields)
	}
	if encErr != nil {
		return domain.User{}, fmt.Errorf("store: encrypt: %w", encErr)
	}
	if len(sets) == 0 {
		return s.GetUser(ctx, sc, id)
	}
	set("updated_at", s.utc(), "")
	sort.Strings(changed)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		where, wargs := scopeClause("region_code", sc.RegionCode, len(args)+2)
		var region string
		// Read the region first (inside the scope) so the audit entry names it.
		qargs := append([]any{id}, wargs...)
		w2, _ := scopeClause("region_code", sc.RegionCode, 2)
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM users WHERE id = $1 AND `+w2, qargs...).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("user")
		}
		if err != nil {
			return fmt.Errorf("store: update user: %w", err)
		}
		all := append(append([]any{}, args...), id)
		all = append(all, wargs...)
		res, err := tx.ExecContext(ctx, `UPDATE users SET `+strings.Join(sets, ", ")+
			` WHERE id = $`+strconv.Itoa(len(args)+1)+` AND `+where, all...)
		if isUniqueViolation(err) {
			return domain.Invalid("please correct the marked fields", map[string]string{"phone": "another user has this phone number"})
		}
		if err != nil {
			return fmt.Errorf("store: update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.NotFound("user")
		}
		if up.Password != nil || (up.Disabled != nil && *up.Disabled) || up.Role != nil || up.RegionCode != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return fmt.Errorf("store: end sessions: %w", err)
			}
		}
		// A new password (or a disabled account) also ends the user's API
		// tokens: whoever knew the old password may have made one.
		if up.Password != nil || (up.Disabled != nil && *up.Disabled) {
			if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`,
				s.utc(), id); err != nil {
				return fmt.Errorf("store: revoke tokens: %w", err)
			}
		}
		return s.audit(ctx, tx, sc, "user.update", "user", id, region, "changed="+strings.Join(changed, ","))
	})
	if err != nil {
		return domain.User{}, err
	}
	return s.getUser(ctx, sc, id, false)
}

// Credentials is what login needs to know about a user.
type Credentials struct {
	User         domain.User
	PasswordHash string
	TOTPSecret   string // decrypted
	TOTPLastStep int64
}

// CredentialsByUsername returns a user's credentials for login, or not found.
// Authorization: none; only the login and CLI code paths call it.
func (s *Store) CredentialsByUsername(ctx context.Context, username string) (Credentials, error) {
	return s.credentials(ctx, "u.username = $1", strings.ToLower(strings.TrimSpace(username)))
}

// CredentialsByID returns a user's credentials by id.
func (s *Store) CredentialsByID(ctx context.Context, id string) (Credentials, error) {
	return s.credentials(ctx, "u.id = $1", id)
}

func (s *Store) credentials(ctx context.Context, where string, arg any) (Credentials, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+userReadCols+`, u.password_hash, u.totp_secret_enc, u.totp_last_step
		FROM users u LEFT JOIN regions r ON r.code = u.region_code WHERE `+where, arg)
	var c Credentials
	var u userRow
	var last sql.NullTime
	var totpEnc string
	err := row.Scan(&u.ID, &u.Username, &u.Role, &u.RegionCode, &u.RegionName, &u.fullNameEnc, &u.emailEnc,
		&u.phoneEnc, &u.TOTPEnabled, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &last, &u.Agency, &c.PasswordHash, &totpEnc, &c.TOTPLastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return c, domain.NotFound("user")
	}
	if err != nil {
		return c, fmt.Errorf("store: credentials: %w", err)
	}
	if last.Valid {
		t := last.Time.UTC()
		u.LastLoginAt = &t
	}
	u.PersonalMasked = hasPersonal(u)
	c.User = u.User
	if c.TOTPSecret, err = s.box.Decrypt(FieldUserTOTPSecret, totpEnc); err != nil {
		return c, fmt.Errorf("store: credentials: %w", err)
	}
	return c, nil
}

// RecordLogin notes a successful login in the user row and the audit log.
func (s *Store) RecordLogin(ctx context.Context, sc domain.Scope, u domain.User, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, s.utc(), u.ID); err != nil {
			return fmt.Errorf("store: record login: %w", err)
		}
		return s.audit(ctx, tx, sc, "auth.login", "user", u.ID, u.RegionCode, detail)
	})
}

// SetTOTP stores (enabled=true) or removes (secret "") a user's second
// factor. Authorization: the user themself, or PermManageUsers in scope
// (removal only, for a lost phone).
func (s *Store) SetTOTP(ctx context.Context, sc domain.Scope, id, secret string, step int64) error {
	if sc.UserID != id {
		if !sc.Can(domain.PermManageUsers) || secret != "" {
			return domain.NotFound("user")
		}
	}
	enc, err := s.box.Encrypt(FieldUserTOTPSecret, secret)
	if err != nil {
		return fmt.Errorf("store: encrypt: %w", err)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		where, wargs := scopeClause("region_code", sc.RegionCode, 5)
		var region string
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM users WHERE id = $1`, id).Scan(&region)
		if err != nil {
			return domain.NotFound("user")
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret_enc = $1, totp_enabled = $2, totp_last_step = $3
			WHERE id = $4 AND `+where, append([]any{enc, secret != "", step, id}, wargs...)...)
		if err != nil {
			return fmt.Errorf("store: set totp: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.NotFound("user")
		}
		action := "auth.totp_enable"
		if secret == "" {
			action = "auth.totp_disable"
		}
		return s.audit(ctx, tx, sc, action, "user", id, region, "")
	})
}

// UseTOTPStep records the step of an accepted code, refusing a replay
// (a step not after the last one used): false means the code was used.
func (s *Store) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	var ok bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, id)
		if err != nil {
			return fmt.Errorf("store: use totp step: %w", err)
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}

// UserCount returns the number of users (for first-run checks).
func (s *Store) UserCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

var _ = time.Second

// UserByPhone finds the active user with a phone number (any format),
// through the keyed hash. Authorization: none; used by the SMS channel to
// recognise responders. Personal fields are not filled.
func (s *Store) UserByPhone(ctx context.Context, phone string) (domain.User, error) {
	p, ok := domain.NormalizePhone(phone)
	if !ok {
		return domain.User{}, domain.NotFound("user")
	}
	row := s.r.QueryRowContext(ctx, `SELECT `+userReadCols+` FROM users u LEFT JOIN regions r ON r.code = u.region_code
		WHERE u.phone_hash = $1 AND u.disabled = $2`, s.box.Hash(HashPhone, p), false)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.User{}, domain.NotFound("user")
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("store: user by phone: %w", err)
	}
	u.PersonalMasked = hasPersonal(u)
	return u.User, nil
}
