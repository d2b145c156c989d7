package domain

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user does in the office; it decides what they may do.
type Role string

const (
	RoleAdmin       Role = "admin"        // configures the system for their region and below
	RoleSupervisor  Role = "supervisor"   // head of UPTD PPA / rapid-response coordinator
	RoleCaseworker  Role = "caseworker"   // pekerja sosial, UPTD PPA staff
	RoleResponder   Role = "responder"    // Satgas PPA desa / rapid-response team member
	RoleOPDOperator Role = "opd_operator" // data operator of another agency (OPD)
	RoleFacilitator Role = "facilitator"  // Forum Anak facilitator
	RoleViewer      Role = "viewer"       // regent, DPRD, KLA task force: aggregates only
	RoleProvider    Role = "provider"     // staff of a service provider: answers the referrals sent to it
)

// Roles lists every role, in the order the UI shows them.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleCaseworker, RoleResponder, RoleOPDOperator, RoleFacilitator, RoleViewer, RoleProvider}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is a staff account. Personal fields (FullName, Email, Phone) are
// empty unless the reader's scope may see personal data; PersonalMasked
// then says so.
type User struct {
	ID             string     `json:"id"`
	Username       string     `json:"username"`
	Role           Role       `json:"role"`
	RegionCode     string     `json:"region_code"`
	RegionName     string     `json:"region_name,omitempty"`
	Agency         string     `json:"agency"` // code of the KLA agency (OPD) the account enters data for; "" when none
	FullName       string     `json:"full_name,omitempty"`
	Email          string     `json:"email,omitempty"`
	Phone          string     `json:"phone,omitempty"`
	PersonalMasked bool       `json:"personal_masked,omitempty"`
	TOTPEnabled    bool       `json:"totp_enabled"`
	Disabled       bool       `json:"disabled"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	LastLoginAt    *time.Time `json:"last_login_at,omitempty"`
}

// NewUser is the input to create a user.
type NewUser struct {
	Username   string
	Role       Role
	RegionCode string
	FullName   string
	Email      string
	Phone      string
	Password   string
}

// UserUpdate changes a user; nil fields are left alone.
type UserUpdate struct {
	Role       *Role
	RegionCode *string
	FullName   *string
	Email      *string
	Phone      *string
	Disabled   *bool
	Password   *string
}

// UserFilter selects users in a list.
type UserFilter struct {
	Role       Role
	RegionCode string // further narrows the caller's scope
	Query      string // matches the username
	Limit      int
	Offset     int
}

// APIToken describes a bearer token (never the token itself).
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Limits of a user's fields.
const (
	MaxFullNameLen = 200 // characters of a full name
	MaxEmailLen    = 200 // characters of an e-mail address
	MaxTokenName   = 100 // characters of an API token's name
)

// usernameRE: 3-40 characters, lower-case letters, digits, dot, dash and
// underscore, starting with a letter or digit.
var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,39}$`)

// NormalizeUsername is a username as stored: trimmed and lower-case.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidUsername reports whether a normalised username has the allowed shape.
func ValidUsername(s string) bool { return usernameRE.MatchString(s) }

// Check normalises nu's fields in place and returns what is wrong with
// them. It does not judge the password (package auth owns that policy),
// whether the region exists, or whether the caller may grant the role: the
// store does, with the database and the caller's scope.
func (nu *NewUser) Check() FieldErrors {
	f := FieldErrors{}
	nu.Username = NormalizeUsername(nu.Username)
	if !ValidUsername(nu.Username) {
		f["username"] = M("field.username_format")
	}
	if !nu.Role.Valid() {
		f["role"] = M("field.role_unknown")
	}
	if !ValidRegionCode(nu.RegionCode) {
		f["region_code"] = M("field.region_code_format")
	}
	nu.FullName = checkFullName(f, nu.FullName)
	nu.Email, nu.Phone = CheckContact(f, nu.Email, nu.Phone)
	return f
}

// Check normalises the fields up changes (full name, e-mail, phone) and
// returns what is wrong with them, as NewUser.Check; the caller's right to
// each change is the store's to judge. The values pointed to are not
// modified: normalised values get pointers of their own.
func (up *UserUpdate) Check() FieldErrors {
	f := FieldErrors{}
	if up.Role != nil && !up.Role.Valid() {
		f["role"] = M("field.role_unknown")
	}
	if up.RegionCode != nil && !ValidRegionCode(*up.RegionCode) {
		f["region_code"] = M("field.region_code_format")
	}
	if up.FullName != nil {
		n := checkFullName(f, *up.FullName)
		up.FullName = &n
	}
	if up.Email != nil || up.Phone != nil {
		var e, p string
		if up.Email != nil {
			e = *up.Email
		}
		if up.Phone != nil {
			p = *up.Phone
		}
		e, p = CheckContact(f, e, p)
		if up.Email != nil {
			up.Email = &e
		}
		if up.Phone != nil {
			up.Phone = &p
		}
	}
	return f
}

// checkFullName trims a full name, noting in f when it is too long.
func checkFullName(f FieldErrors, name string) string {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxFullNameLen {
		f["full_name"] = M("field.max_chars", MaxFullNameLen)
	}
	return name
}

// CheckContact normalises a user's e-mail address and phone number (E.164),
// noting in f what is wrong with them. Empty values are allowed.
func CheckContact(f FieldErrors, email, phone string) (string, string) {
	email = strings.TrimSpace(email)
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > MaxEmailLen {
			f["email"] = M("field.email_format")
		}
	}
	phone = strings.TrimSpace(phone)
	if phone != "" {
		p, ok := NormalizePhone(phone)
		if !ok {
			f["phone"] = M("field.phone_format")
		}
		phone = p
	}
	return email, phone
}
