package server_test

import (
	"os"
	"testing"

	"lindu/internal/auth"
)

// TestMain makes new password hashes cheap in this package's tests: every
// world creates a dozen accounts and the matrix tests log in hundreds of
// times, and at the production cost (argon2id, 19 MiB, two passes) the
// hashing alone took a large share of the package's CPU. The cost is read
// from each stored hash, so logins check what was made here; the hashing
// itself, its parameters and the gate are tested in package auth and, with
// the production cost, through the binary in cmd/lindu.
func TestMain(m *testing.M) {
	auth.DefaultParams = auth.Params{Memory: 1024, Time: 1, Threads: 1}
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}
