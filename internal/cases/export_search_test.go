package cases

// SetMaxResolvedIDs sets how many case ids a name search reads beforehand
// (0: none, each query computes the set) and returns the undo.
func SetMaxResolvedIDs(n int) func() {
	old := maxResolvedIDs
	maxResolvedIDs = n
	return func() { maxResolvedIDs = old }
}
