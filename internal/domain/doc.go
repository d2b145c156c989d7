// Package domain holds lindu's core types (regions, users, roles, scopes,
// audit entries) and the one coded error type. It imports nothing else from
// the project, so every other package can depend on it.
package domain
