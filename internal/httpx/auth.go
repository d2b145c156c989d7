package httpx

import (
	"context"
	"net/http"
	"strings"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// SessionCookie names the session cookie (see CookieName).
const SessionCookie = "lindu_session"

// CookieName is the name under which a cookie is set and read: with Secure
// cookies (public URL on https) the "__Host-" prefix makes browsers refuse
// the cookie unless it is Secure, host-only and for path "/", so a sibling
// subdomain or a plain-HTTP page cannot plant or overwrite it.
func CookieName(base string, secure bool) string {
	if secure {
		return "__Host-" + base
	}
	return base
}

// Pending says what a logged-in session must still do before it may work.
type Pending int

const (
	PendingNone   Pending = iota
	PendingTOTP           // enter the TOTP code
	PendingEnroll         // set up TOTP (required for the role)
)

// Principal is the authenticated caller of a request.
type Principal struct {
	User     domain.User
	Scope    domain.Scope
	Session  *store.Session // nil for API tokens
	ViaToken bool
	Pending  Pending
}

// Ready reports whether the principal may use the application.
func (p *Principal) Ready() bool { return p != nil && p.Pending == PendingNone }

type ctxKey struct{}

// PrincipalFrom returns the request's principal, or nil for anonymous.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// WithPrincipal returns ctx carrying p (for tests and the auth middleware).
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// Authenticator turns session cookies and bearer tokens into principals.
type Authenticator struct {
	Store      *store.Store
	TrustProxy bool
	// Require2FA makes TOTP mandatory for admin and supervisor.
	Require2FA bool
	// SecureCookies: cookies are Secure and carry the "__Host-" prefix.
	SecureCookies bool
	// Fail answers a request whose session or token could not be checked
	// because the database is unreachable (503); nil writes the JSON error.
	Fail ErrorWriter
}

// SessionCookieName is the name of the session cookie.
func (a *Authenticator) SessionCookieName() string { return CookieName(SessionCookie, a.SecureCookies) }

// unavailable answers 503 when err says the database is unreachable.
func (a *Authenticator) unavailable(w http.ResponseWriter, r *http.Request, err error) bool {
	if !unreachable(err) {
		return false
	}
	if a.Fail != nil {
		a.Fail(w, r, err)
	} else {
		WriteError(w, r, nil, err)
	}
	return true
}

// Needs2FA reports whether a role must use a second factor.
func (a *Authenticator) Needs2FA(r domain.Role) bool {
	return a.Require2FA && (r == domain.RoleAdmin || r == domain.RoleSupervisor)
}

// PendingFor decides what a session still needs.
func (a *Authenticator) PendingFor(u domain.User, mfaPassed bool) Pending {
	switch {
	case mfaPassed:
		return PendingNone
	case u.TOTPEnabled:
		return PendingTOTP
	case a.Needs2FA(u.Role):
		return PendingEnroll
	}
	return PendingNone
}

// Middleware attaches the principal (if any) to the request context. A bad
// bearer token answers 401 at once; a bad cookie is treated as anonymous.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := ClientIP(r, a.TrustProxy)
		ua := r.UserAgent()
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				WriteError(w, r, nil, domain.E(domain.EUnauthorized, "api.err.bearer_format"))
				return
			}
			u, err := a.Store.UserByToken(r.Context(), strings.TrimSpace(tok))
			if err != nil && a.unavailable(w, r, err) {
				return
			}
			if err != nil {
				WriteError(w, r, nil, domain.E(domain.EUnauthorized, "api.err.token"))
				return
			}
			p := &Principal{User: u, Scope: access.ForUser(u, ip, ua), ViaToken: true}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
			return
		}
		if c, err := r.Cookie(a.SessionCookieName()); err == nil && c.Value != "" {
			ss, err := a.Store.SessionByToken(r.Context(), c.Value)
			if err != nil && a.unavailable(w, r, err) {
				return
			}
			if err == nil {
				p := &Principal{User: ss.User, Scope: access.ForUser(ss.User, ip, ua), Session: &ss,
					Pending: a.PendingFor(ss.User, ss.MFAPassed)}
				next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
