package web

import (
	"net/http"

	"lindu/internal/login"
)

// LoginLocksPage lists the login limits with recent failures (running
// delays first), for admins of the whole deployment, who may lift them.
type LoginLocksPage struct {
	Base
	Locks []login.Lock
}

// loginLocks lists the limits. Authorization: admins whose region covers
// the deployment's root region (the store refuses everyone else).
func (s *Server) loginLocks(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "locks.title")
	locks, err := login.ListLocks(r.Context(), s.st, b.Scope, s.opt.RootRegion)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "login_locks", LoginLocksPage{Base: b, Locks: locks})
}

// loginLockLift lifts one limit's delay (audited). Authorization: as
// loginLocks.
func (s *Server) loginLockLift(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "locks.title")
	if err := login.LiftLock(r.Context(), s.st, b.Scope, s.opt.RootRegion, r.PostFormValue("key")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/users/kunci-masuk", "lock_lifted"), http.StatusSeeOther)
}
