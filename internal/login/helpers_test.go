package login_test

import (
	"context"

	"lindu/internal/access"
	"lindu/internal/domain"
)

var ctx = context.Background()

func sys() domain.Scope { return access.System("test") }
