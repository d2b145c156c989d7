package domain

import "strings"

// NormalizePhone turns an Indonesian phone number as people write it
// ("0812-3456-7890", "+62 812 3456 7890", "62812...") into E.164
// ("+6281234567890"). It returns "" and false for anything that is not a
// plausible number.
func NormalizePhone(s string) (string, bool) {
	var digits strings.Builder
	plus := false
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := digits.String()
	switch {
	case plus:
	case strings.HasPrefix(d, "62"):
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	default:
		return "", false
	}
	if strings.HasPrefix(d, "620") {
		d = "62" + d[3:] // "+62 0812..." written with the trunk prefix
	}
	if strings.HasPrefix(d, "62") {
		// Indonesian numbers have 9-12 digits after the country code
		// (8xx mobiles 9-12, fixed lines with area code 8-11).
		if n := len(d) - 2; n < 8 || n > 12 || d[2] == '0' {
			return "", false
		}
		return "+" + d, true
	}
	// Other countries: E.164 allows 8-15 digits, no leading zero.
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", false
	}
	return "+" + d, true
}
