package intake

import (
	"context"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// The replies to SMS and WhatsApp messages: Indonesian only, their texts in
// internal/i18n/locales/id/sms.txt (keys "sms.reply.*"), written to the
// outbox in the message's transaction.

// reply renders an SMS reply text.
func reply(key string, args ...any) string { return i18n.T("id", key, args...) }

// help is the answer to HELP, to an empty message and to a command without
// a code.
func help() Result { return Result{Kind: KindHelp, Reply: reply("sms.reply.help", "")} }

// unknownCode is the answer when no report or case the sender may see has
// the code.
func unknownCode(code string) Result {
	return Result{Kind: KindUnknownCode, Reply: reply("sms.reply.unknown_code", domain.FormatPublicCode(code))}
}

// caseStatus is a case's status in words, as the replies say it.
func caseStatus(s domain.CaseStatus) string { return i18n.T("id", "cstatus."+string(s)) }

// replyChannel is the outbox channel of the reply to in.
func replyChannel(in inbound) string {
	if in.Channel == domain.ChannelWhatsApp {
		return "whatsapp"
	}
	return "sms"
}

// enqueueReply writes the reply to the sender: its number is sealed on the
// outbox row and used for nothing else. It is written claimed for
// in.claimant when there is one (Handoff).
func enqueueReply(ctx context.Context, tx *store.Tx, in inbound, res Result) (string, error) {
	return tx.EnqueueTo(ctx, store.PhoneMessage{Key: "reply:" + in.Key, Channel: replyChannel(in), To: in.From, UserID: in.userID(),
		Region: in.region, Body: res.Reply, CaseID: res.CaseID, ReportID: res.ReportID, ClaimedBy: in.claimant})
}
