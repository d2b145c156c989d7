package cases

import (
	"context"
	"strconv"

	"lindu/internal/domain"
)

// PrintCase returns a case for its printable case file, as GetCase does
// (personal fields only for those who may see them, that view audited),
// and records the printing in the audit log: who printed which case, and
// whether the copy held personal data. Authorization: as GetCase.
func (s *Service) PrintCase(ctx context.Context, sc domain.Scope, id string) (domain.Case, error) {
	c, err := s.GetCase(ctx, sc, id)
	if err != nil {
		return c, err
	}
	personal := sc.Personal && !c.PersonalMasked
	err = s.st.Audit(ctx, sc, "case.print", "case", c.ID, c.RegionCode, "personal="+strconv.FormatBool(personal))
	return c, err
}
