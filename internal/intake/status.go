package intake

import (
	"context"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// STATUS <code>: anyone holding a report's code learns how it is going, in
// the words of the public status page (received, in review, handled,
// closed, not a case).

// status answers STATUS. A registered responder asking about a code that
// is no report's gets INFO on the case with that code instead.
func (s *Service) status(ctx context.Context, tx *store.Tx, in inbound) (Result, error) {
	if in.Code == "" {
		return help(), nil
	}
	v, err := s.area().PublicReportStatus(ctx, in.Code)
	if domain.IsNotFound(err) {
		if in.responder != nil {
			in.Command = Command{Verb: "INFO", Code: in.Code}
			return s.responderCommand(ctx, tx, in)
		}
		return unknownCode(in.Code), nil
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Kind: KindStatus, Reply: reply("sms.reply.status."+v.Status, domain.FormatPublicCode(in.Code))}, nil
}
