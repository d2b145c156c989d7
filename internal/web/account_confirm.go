package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/login"
	"lindu/internal/store"
)

// The current secrets that the account page's changes ask for: the
// password, and with TOTP on a current code, each within its own limit.

// confirmSecrets checks the current password posted as "current" and, when
// the second factor is on, a current code posted as "current_code". It
// returns the fields to mark wrong (under pwField and codeField), or done
// when it has already answered (refused by a limit, or an error).
func (s *Server) confirmSecrets(w http.ResponseWriter, r *http.Request, cred store.Credentials, pwField, codeField string) (fields domain.FieldErrors, done bool) {
	fields = domain.FieldErrors{}
	ok, until, err := s.confirmPassword(r.Context(), cred.User.ID, r.PostFormValue("current"), cred.PasswordHash)
	if err == nil && until.IsZero() {
		if !ok {
			fields[pwField] = domain.M("field.wrong_password")
			return fields, false
		}
		if !cred.User.TOTPEnabled {
			return fields, false
		}
		ok, until, err = s.confirmCode(r.Context(), cred, r.PostFormValue("current_code"))
	}
	switch {
	case err != nil:
		s.fail(w, r, err)
		return nil, true
	case !until.IsZero():
		s.accountThrottled(w, r, until)
		return nil, true
	case !ok:
		fields[codeField] = domain.M("field.wrong_code")
	}
	return fields, false
}

// confirmPassword checks a signed-in user's current password within the
// password gate and the user's own limit (login.PasswordCheckLimitsFor).
// until is set when the limit refuses the attempt; a limit that cannot be
// read refuses it too (503).
func (s *Server) confirmPassword(ctx context.Context, userID, pw, hash string) (ok bool, until time.Time, err error) {
	limits := login.PasswordCheckLimitsFor(userID)
	att, err := login.TakeAttempt(ctx, s.st, limits)
	if err != nil {
		return false, time.Time{}, s.limitsDown(ctx, "password check", err)
	}
	if !att.Allowed {
		return false, att.Until, nil
	}
	ok, err = s.gate.Verify(ctx, pw, hash)
	if errors.Is(err, auth.ErrBadHash) {
		ok, err = false, nil
	}
	if err != nil {
		s.giveBack(ctx, "password check", limits) // not judged
		return false, time.Time{}, passwordCheckError(err)
	}
	if ok {
		err = login.Succeeded(ctx, s.st, limits)
	}
	return ok, time.Time{}, err
}

// confirmCode checks a current TOTP code of a signed-in user within the
// user's second-factor limit (login.TOTPLimitsFor, shared with login) and
// uses up its time step, so a code seen over the shoulder cannot be
// replayed. until is set when the limit refuses the attempt; a limit that
// cannot be read refuses it too (503).
func (s *Server) confirmCode(ctx context.Context, cred store.Credentials, code string) (ok bool, until time.Time, err error) {
	limits := login.TOTPLimitsFor(cred.User.ID)
	att, err := login.TakeAttempt(ctx, s.st, limits)
	if err != nil {
		return false, time.Time{}, s.limitsDown(ctx, "code check", err)
	}
	if !att.Allowed {
		return false, att.Until, nil
	}
	step, ok := auth.VerifyTOTP(cred.TOTPSecret, code, s.now(), cred.TOTPLastStep)
	if ok {
		if ok, err = s.st.UseTOTPStep(ctx, cred.User.ID, step); err != nil {
			return false, time.Time{}, err
		}
	}
	if ok {
		err = login.Succeeded(ctx, s.st, limits)
	}
	return ok, time.Time{}, err
}

// accountThrottled answers a change refused by the limit of its current
// password or code checks.
func (s *Server) accountThrottled(w http.ResponseWriter, r *http.Request, until time.Time) {
	s.retryAfter(w, until)
	s.accountPage(w, r, http.StatusTooManyRequests, func(a *AccountPage) {
		a.Error = a.T("login.throttled", until.In(a.Zone).Format("15:04:05 MST"))
	})
}
