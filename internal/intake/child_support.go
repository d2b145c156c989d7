package intake

import (
	"context"

	"lindu/internal/domain"
	"lindu/internal/musrenbang"
	"lindu/internal/store"
)

// A child with a basic phone supports a proposal of the Musrenbang Anak
// by texting DUKUNG <kode> from the phone registered to their account:
// one support per child, however often they send it.

// KindSupport is a child's support by SMS that was counted (or counted
// before).
const KindSupport = "support"

// childSupport runs DUKUNG.
func (s *Service) childSupport(ctx context.Context, tx *store.Tx, in inbound) (Result, error) {
	if in.Code == "" {
		return Result{Kind: KindHelp, Reply: reply("sms.reply.support_help", "")}, nil
	}
	outcome, err := musrenbang.New(s.Store).SupportBySMS(ctx, tx, in.hash, in.Code)
	if err != nil {
		return Result{}, err
	}
	switch outcome {
	case musrenbang.SupportNoChild:
		return Result{Kind: KindDenied, Reply: reply("sms.reply.support_denied", "")}, nil
	case musrenbang.SupportUnknown:
		return Result{Kind: KindUnknownCode, Reply: reply("sms.reply.support_unknown", domain.FormatPublicCode(in.Code))}, nil
	case musrenbang.SupportClosed:
		return Result{Kind: KindRefused, Reply: reply("sms.reply.support_closed", domain.FormatPublicCode(in.Code))}, nil
	case musrenbang.SupportAgain:
		return Result{Kind: KindSupport, Reply: reply("sms.reply.support_again", domain.FormatPublicCode(in.Code))}, nil
	}
	return Result{Kind: KindSupport, Reply: reply("sms.reply.support_ok", domain.FormatPublicCode(in.Code))}, nil
}
