package domain

import "time"

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
)

// Roles lists every role, in the order the UI shows them.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleCaseworker, RoleResponder, RoleOPDOperator, RoleFacilitator, RoleViewer}

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
