package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"lindu/internal/access"
	"lindu/internal/auth"
	"lindu/internal/domain"
)

// Users: staff accounts bound to a region. Field rules are domain's
// (NewUser.Check, UserUpdate.Check), the password policy auth's; this file
// adds what needs the database or the caller's scope, and the SQL.
// Credentials, login and second factors are in credentials.go.

const userCols = `u.id, u.username, u.role, u.region_code, COALESCE(r.name, ''), u.full_name_enc, u.email_enc,
	u.phone_enc, u.totp_enabled, u.disabled, u.created_at, u.updated_at, u.last_login_at`

// userReadCols is userCols plus the KLA agency, as scanUser reads them
// (sessions scan userCols alone).
const userReadCols = userCols + `, u.agency`

type userRow struct {
	domain.User
	fullNameEnc, emailEnc, phoneEnc string
}

// scanUser reads the userReadCols of a row, then extra columns into extra.
func scanUser(sc interface{ Scan(...any) error }, extra ...any) (userRow, error) {
	var u userRow
	var last sql.NullTime
	dest := append([]any{&u.ID, &u.Username, &u.Role, &u.RegionCode, &u.RegionName, &u.fullNameEnc, &u.emailEnc,
		&u.phoneEnc, &u.TOTPEnabled, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &last, &u.Agency}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return userRow{}, err
	}
	if last.Valid {
		t := last.Time.UTC()
		u.LastLoginAt = &t
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}

// reveal decrypts the personal fields into u.User.
func (s *Store) reveal(u *userRow) error {
	var err error
	if u.FullName, err = s.Open(FieldUserFullName, u.fullNameEnc); err != nil {
		return fmt.Errorf("store: user %s: %w", u.ID, err)
	}
	if u.Email, err = s.Open(FieldUserEmail, u.emailEnc); err != nil {
		return fmt.Errorf("store: user %s: %w", u.ID, err)
	}
	if u.Phone, err = s.Open(FieldUserPhone, u.phoneEnc); err != nil {
		return fmt.Errorf("store: user %s: %w", u.ID, err)
	}
	return nil
}

func hasPersonal(u userRow) bool { return u.fullNameEnc != "" || u.emailEnc != "" || u.phoneEnc != "" }

// passwordProblem is what is wrong with pw as the password of username, as
// a field message; package auth owns the policy.
func passwordProblem(username, pw string) (domain.Msg, bool) {
	switch n := utf8.RuneCountInString(pw); {
	case n < auth.MinPasswordLen:
		return domain.M("field.min_chars", auth.MinPasswordLen), true
	case n > auth.MaxPasswordLen:
		return domain.M("field.max_chars", auth.MaxPasswordLen), true
	}
	switch auth.CheckPasswordPolicyFor(username, pw) {
	case "":
		return domain.Msg{}, false
	case "contains_username":
		return domain.M("field.contains_username"), true
	case "too_common":
		return domain.M("field.too_common"), true
	default:
		return domain.M("field.password_refused"), true
	}
}

// sealContact seals a user's personal fields and hashes the phone number
// for look-ups (nil when there is none).
func (s *Store) sealContact(fullName, email, phone string) (fn, em, ph string, phoneHash any, err error) {
	if fn, err = s.Seal(FieldUserFullName, fullName); err != nil {
		return "", "", "", nil, err
	}
	if em, err = s.Seal(FieldUserEmail, email); err != nil {
		return "", "", "", nil, err
	}
	if ph, err = s.Seal(FieldUserPhone, phone); err != nil {
		return "", "", "", nil, err
	}
	if phone != "" {
		phoneHash = s.LookupHash(HashPhone, phone)
	}
	return fn, em, ph, phoneHash, nil
}

// CreateUser adds a user. Authorization: PermManageUsers, and the new user's
// region must lie inside the caller's region.
func (s *Store) CreateUser(ctx context.Context, sc domain.Scope, nu domain.NewUser) (domain.User, error) {
	fields := nu.Check()
	if m, bad := passwordProblem(nu.Username, nu.Password); bad {
		fields["password"] = m
	}
	if len(fields) > 0 {
		return domain.User{}, domain.InvalidFields(fields)
	}
	if !sc.Can(domain.PermManageUsers) {
		return domain.User{}, domain.E(domain.EForbidden, "user.err.manage_forbidden")
	}
	if !access.CanGrantRole(sc, nu.Role, nu.RegionCode) {
		return domain.User{}, domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("field.region_outside")})
	}
	hash, err := auth.HashPassword(nu.Password, auth.DefaultParams)
	if err != nil {
		return domain.User{}, fmt.Errorf("store: hash password: %w", err)
	}
	fn, em, ph, phoneHash, err := s.sealContact(nu.FullName, nu.Email, nu.Phone)
	if err != nil {
		return domain.User{}, fmt.Errorf("store: create user: %w", err)
	}
	now := s.utc()
	id := newID(now)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var ok int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, nu.RegionCode).Scan(&ok); err != nil {
			return fmt.Errorf("store: check region: %w", err)
		}
		if ok == 0 {
			return domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("field.region_unknown")})
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, role, region_code, full_name_enc, email_enc,
			phone_enc, phone_hash, password_hash, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
			id, nu.Username, string(nu.Role), nu.RegionCode, fn, em, ph, phoneHash, hash, now, now)
		if isUniqueViolation(err) {
			if strings.Contains(err.Error(), "phone") {
				return domain.InvalidFields(domain.FieldErrors{"phone": domain.M("field.phone_taken")})
			}
			return domain.InvalidFields(domain.FieldErrors{"username": domain.M("field.username_taken")})
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
	row := s.QueryRowContext(ctx, `SELECT `+userReadCols+` FROM users u LEFT JOIN regions r ON r.code = u.region_code
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
		return nil, 0, domain.E(domain.EForbidden, "user.err.view_forbidden")
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
	if err := s.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	offset := max(f.Offset, 0)
	out, err := Rows(ctx, s, func(rows *sql.Rows) (domain.User, error) {
		u, err := scanUser(rows)
		u.PersonalMasked = hasPersonal(u)
		return u.User, err
	}, `SELECT `+userReadCols+` FROM users u LEFT JOIN regions r ON r.code = u.region_code
		WHERE `+w+` ORDER BY u.region_code, u.username LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	if out == nil {
		out = []domain.User{}
	}
	return out, total, nil
}

// UpdateUser changes a user inside sc's region. Authorization:
// PermManageUsers (any field), or the user themself (name, e-mail, phone).
// One's own password is changed only by SetOwnPassword, after the current
// password (and code) were checked: whoever holds a stolen session must not
// take the account over. Disabling a user or changing the password ends
// their sessions.
func (s *Store) UpdateUser(ctx context.Context, sc domain.Scope, id string, up domain.UserUpdate) (domain.User, error) {
	if sc.UserID == id && !sc.System && up.Password != nil {
		return domain.User{}, domain.E(domain.EForbidden, "user.err.own_password")
	}
	return s.updateUser(ctx, sc, id, up)
}

// SetOwnPassword changes the caller's own password, ending all their
// sessions and revoking their API tokens. Authorization: the caller
// themself, and the caller (the account page) must have checked the current
// password and, with TOTP on, a current code.
func (s *Store) SetOwnPassword(ctx context.Context, sc domain.Scope, pw string) error {
	if sc.UserID == "" {
		return domain.E(domain.EForbidden, "user.err.not_a_user")
	}
	_, err := s.updateUser(ctx, sc, sc.UserID, domain.UserUpdate{Password: &pw})
	return err
}

// checkUpdate adds to up's own field checks those that need the caller's
// scope or the database, and hashes a new password. It returns the field
// errors and the new password's hash ("" when unchanged).
func (s *Store) checkUpdate(ctx context.Context, sc domain.Scope, id string, up *domain.UserUpdate) (domain.FieldErrors, string, error) {
	fields := up.Check()
	if _, bad := fields["region_code"]; up.RegionCode != nil && !bad && !sc.Contains(*up.RegionCode) {
		fields["region_code"] = domain.M("field.region_outside")
	}
	if up.Disabled != nil && *up.Disabled && sc.UserID == id {
		fields["disabled"] = domain.M("field.disable_self")
	}
	if up.Password == nil {
		return fields, "", nil
	}
	var username string // for the policy only; the update itself is scoped
	err := s.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, id).Scan(&username)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("store: update user: %w", err)
	}
	if m, bad := passwordProblem(username, *up.Password); bad {
		fields["password"] = m
	}
	if len(fields) > 0 {
		return fields, "", nil
	}
	hash, err := auth.HashPassword(*up.Password, auth.DefaultParams)
	if err != nil {
		return nil, "", fmt.Errorf("store: hash password: %w", err)
	}
	return fields, hash, nil
}

// userSets is the SET list of an update: columns, their arguments and the
// names of what changed, for the audit entry.
type userSets struct {
	cols    []string
	args    []any
	changed []string
}

func (u *userSets) set(col string, v any, name string) {
	u.args = append(u.args, v)
	u.cols = append(u.cols, col+" = $"+strconv.Itoa(len(u.args)))
	if name != "" {
		u.changed = append(u.changed, name)
	}
}

// updateSets lists the columns a checked update changes.
func (s *Store) updateSets(up domain.UserUpdate, hash string) (userSets, error) {
	var u userSets
	if up.Role != nil {
		u.set("role", string(*up.Role), "role="+string(*up.Role))
	}
	if up.RegionCode != nil {
		u.set("region_code", *up.RegionCode, "region_code="+*up.RegionCode)
	}
	if up.Disabled != nil {
		u.set("disabled", *up.Disabled, "disabled="+strconv.FormatBool(*up.Disabled))
	}
	if up.FullName != nil {
		c, err := s.Seal(FieldUserFullName, *up.FullName)
		if err != nil {
			return u, err
		}
		u.set("full_name_enc", c, "full_name")
	}
	if up.Email != nil {
		c, err := s.Seal(FieldUserEmail, *up.Email)
		if err != nil {
			return u, err
		}
		u.set("email_enc", c, "email")
	}
	if up.Phone != nil {
		c, err := s.Seal(FieldUserPhone, *up.Phone)
		if err != nil {
			return u, err
		}
		u.set("phone_enc", c, "phone")
		var h any
		if *up.Phone != "" {
			h = s.LookupHash(HashPhone, *up.Phone)
		}
		u.set("phone_hash", h, "")
	}
	if hash != "" {
		u.set("password_hash", hash, "password")
	}
	return u, nil
}

func (s *Store) updateUser(ctx context.Context, sc domain.Scope, id string, up domain.UserUpdate) (domain.User, error) {
	self := sc.UserID == id
	manage := sc.Can(domain.PermManageUsers)
	if !manage && !self {
		return domain.User{}, domain.NotFound("user")
	}
	if !manage && (up.Role != nil || up.RegionCode != nil || up.Disabled != nil) {
		return domain.User{}, domain.E(domain.EForbidden, "user.err.admin_fields")
	}
	fields, hash, err := s.checkUpdate(ctx, sc, id, &up)
	if err != nil {
		return domain.User{}, err
	}
	if len(fields) > 0 {
		return domain.User{}, domain.InvalidFields(fields)
	}
	sets, err := s.updateSets(up, hash)
	if err != nil {
		return domain.User{}, fmt.Errorf("store: update user: %w", err)
	}
	if len(sets.cols) == 0 {
		return s.GetUser(ctx, sc, id)
	}
	sets.set("updated_at", s.utc(), "")
	sort.Strings(sets.changed)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		// Read the region first (inside the scope) so the audit entry names it.
		w1, wargs := scopeClause("region_code", sc.RegionCode, 2)
		var region string
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM users WHERE id = $1 AND `+w1,
			append([]any{id}, wargs...)...).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("user")
		}
		if err != nil {
			return fmt.Errorf("store: update user: %w", err)
		}
		n := len(sets.args)
		where, wargs := scopeClause("region_code", sc.RegionCode, n+2)
		all := append(append(append([]any{}, sets.args...), id), wargs...)
		res, err := tx.ExecContext(ctx, `UPDATE users SET `+strings.Join(sets.cols, ", ")+
			` WHERE id = $`+strconv.Itoa(n+1)+` AND `+where, all...)
		if isUniqueViolation(err) {
			return domain.InvalidFields(domain.FieldErrors{"phone": domain.M("field.phone_taken")})
		}
		if err != nil {
			return fmt.Errorf("store: update user: %w", err)
		}
		if err := oneRow(res, "user"); err != nil {
			return err
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
		return s.audit(ctx, tx, sc, "user.update", "user", id, region, "changed="+strings.Join(sets.changed, ","))
	})
	if err != nil {
		return domain.User{}, err
	}
	return s.getUser(ctx, sc, id, false)
}

// oneRow turns the result of an UPDATE or DELETE of one row into not
// found (of what) when it touched none.
func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: rows affected: %w", err)
	}
	if n == 0 {
		return domain.NotFound(what)
	}
	return nil
}

// SerializeUserByPhone is Serialize(key) and then UserByPhone(phone) in
// the transaction. On PostgreSQL the lock and the look-up share one
// statement (one round trip): most numbers that write in are no user's,
// and then that is all; a user's is read in full by a second. The look-up
// needs no order against the lock, which is not about users.
// Authorization: as UserByPhone (the SMS and WhatsApp channels).
func (t *Tx) SerializeUserByPhone(ctx context.Context, key, phone string) (domain.User, error) {
	p, ok := domain.NormalizePhone(phone)
	if t.st.dialect != Postgres || !ok {
		if err := t.Serialize(ctx, key); err != nil {
			return domain.User{}, err
		}
		if !ok {
			return domain.User{}, domain.NotFound("user")
		}
		return userWhere(ctx, t, `u.phone_hash = $1 AND u.disabled = $2`, t.st.LookupHash(HashPhone, p), false)
	}
	// The lock's subquery is volatile: PostgreSQL evaluates it once, for
	// the one row it gives, whether or not a user matches.
	var id string
	err := t.QueryRowContext(ctx, `SELECT COALESCE((SELECT u.id FROM users u WHERE u.phone_hash = $2 AND u.disabled = $3 LIMIT 1), '')
		FROM (SELECT pg_advisory_xact_lock($1)) l`, serialLock(key), t.st.LookupHash(HashPhone, p), false).Scan(&id)
	if err != nil {
		return domain.User{}, fmt.Errorf("store: serialize: %w", err)
	}
	if id == "" {
		return domain.User{}, domain.NotFound("user")
	}
	return userWhere(ctx, t, `u.id = $1 AND u.disabled = $2`, id, false)
}

// userWhere is the user matching cond (on users u), personal fields not
// filled, or NotFound.
func userWhere(ctx context.Context, q Querier, cond string, args ...any) (domain.User, error) {
	row := q.QueryRowContext(ctx, `SELECT `+userReadCols+` FROM users u LEFT JOIN regions r ON r.code = u.region_code
		WHERE `+cond, args...)
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

// UserCount returns the number of users (for first-run checks).
// Authorization: none; only the CLI and start-up call it.
func (s *Store) UserCount(ctx context.Context) (int, error) {
	var n int
	err := s.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// UserByPhone finds the active user with a phone number (any format),
// through the keyed hash. Authorization: none; used by the SMS channel to
// recognise responders. Personal fields are not filled.
func (s *Store) UserByPhone(ctx context.Context, phone string) (domain.User, error) {
	p, ok := domain.NormalizePhone(phone)
	if !ok {
		return domain.User{}, domain.NotFound("user")
	}
	return userWhere(ctx, s, `u.phone_hash = $1 AND u.disabled = $2`, s.LookupHash(HashPhone, p), false)
}
