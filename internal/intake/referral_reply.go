package intake

import (
	"context"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/shelters"
	"lindu/internal/store"
)

// A service provider without an account answers a referral by replying to
// its SMS or WhatsApp from the provider's registered phone: YA <kode>
// (accepted), TIDAK <kode> <alasan> (declined, the reason required),
// SELESAI <kode> (the service was given). The case area checks the phone
// and the code (another provider's code is unknown, as if it did not
// exist) and the referral's state machine; here is what the reply says.

// Kinds of a provider's answer.
const (
	KindReferral   = "referral" // a provider's answer was recorded
	KindHostAnswer = "host"     // a safe house's host answered whether they can take a child
)

// referralAnswer runs YA, TIDAK or SELESAI.
func (s *Service) referralAnswer(ctx context.Context, tx *store.Tx, in inbound) (Result, error) {
	if in.Code == "" {
		return Result{Kind: KindHelp, Reply: reply("sms.reply.referral_help", "")}, nil
	}
	// A safe house's host answering whether they can take a child.
	if in.Verb == "YA" || in.Verb == "TIDAK" {
		outcome, text, err := shelters.New(s.Store, s.area()).AnswerHost(ctx, tx, in.hash, in.Code, in.Verb == "YA")
		if err != nil {
			return Result{}, err
		}
		if outcome != shelters.HostNotMine {
			kind := KindHostAnswer
			if outcome == shelters.HostExpired || outcome == shelters.HostDone {
				kind = KindRefused
			}
			return Result{Kind: kind, Reply: text}, nil
		}
	}
	to := map[string]domain.ReferralStatus{"YA": domain.ReferralAccepted, "TIDAK": domain.ReferralDeclined,
		"SELESAI": domain.ReferralDone}[in.Verb]
	if to == domain.ReferralDeclined && in.Reason == "" {
		return Result{Kind: KindRefused, Reply: reply("sms.reply.referral_reason", in.Code)}, nil
	}
	via := "sms"
	if in.Channel == domain.ChannelWhatsApp {
		via = "whatsapp"
	}
	outcome, st, caseID, err := s.area().AnswerBySMS(ctx, tx, in.hash, in.Code, cases.ReferralAnswer{To: to, Reason: in.Reason, Via: via})
	if err != nil {
		if domain.CodeOf(err) == domain.EInvalid {
			return Result{Kind: KindRefused, Reply: reply("sms.reply.referral_reason", in.Code)}, nil
		}
		return Result{}, err
	}
	switch outcome {
	case cases.ReplyDenied:
		return Result{Kind: KindDenied, Reply: reply("sms.reply.referral_denied", "")}, nil
	case cases.ReplyUnknown:
		return Result{Kind: KindUnknownCode, Reply: reply("sms.reply.referral_unknown", in.Code)}, nil
	case cases.ReplyRefused:
		return Result{Kind: KindRefused, CaseID: caseID, Reply: reply("sms.reply.referral_refused", in.Code,
			i18n.T("id", "refstatus."+string(st)))}, nil
	}
	return Result{Kind: KindReferral, CaseID: caseID, Reply: reply("sms.reply.referral_"+string(st), in.Code)}, nil
}
