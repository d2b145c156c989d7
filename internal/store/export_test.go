package store

import "context"

// MigrateTo applies the migrations up to version upTo only, so a test can
// build a database as an older lindu left it.
func (s *Store) MigrateTo(ctx context.Context, upTo int) ([]int, error) {
	return s.migrateTo(ctx, upTo)
}

// SQLiteSQL is sqliteSQL, for tests.
var SQLiteSQL = sqliteSQL

// Combine and ShiftParams are combine and shiftParams, for tests.
func Combine(qs []string, args [][]any) (string, []any) {
	ps := make([]pending, len(qs))
	for i := range qs {
		ps[i] = pending{q: qs[i], args: args[i]}
	}
	return combine(ps)
}

var ShiftParams = shiftParams

// SetRegionNamesPerRead sets how many codes RegionNames reads in one
// statement and returns a function that restores it.
func SetRegionNamesPerRead(n int) func() {
	old := regionNamesPerRead
	regionNamesPerRead = n
	return func() { regionNamesPerRead = old }
}

// KeptCommits is how many writes of InSharedTx committed as one statement
// without a transaction (PostgreSQL only).
func (s *Store) KeptCommits() int64 { return s.keptCommits.Load() }
