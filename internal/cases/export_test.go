package cases

// SetIDsPerRead sets how many cases a list reads by id in one statement
// (PostgreSQL) and returns a function that restores it.
func SetIDsPerRead(n int) func() {
	old := idsPerRead
	idsPerRead = n
	return func() { idsPerRead = old }
}
