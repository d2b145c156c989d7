package intake

import (
	"context"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// A registered responder answers by SMS or WhatsApp with a case's code:
// TERIMA (I take it: the case is acknowledged), TIBA (I reached the child:
// first contact), INFO (what is its status). The case area finds the case
// the responder may work on and applies the workflow's rule; here is what
// the words mean and what the reply says. A number that is no user's gets
// "denied"; a code the responder may not see is unknown, as if it did not
// exist.

// responderCommand runs TERIMA, TIBA or INFO.
func (s *Service) responderCommand(ctx context.Context, tx *store.Tx, in inbound) (Result, error) {
	if in.responder == nil {
		return Result{Kind: KindDenied, Reply: reply("sms.reply.denied", "")}, nil
	}
	if in.Code == "" {
		return help(), nil
	}
	sc, pretty := *in.responder, domain.FormatPublicCode(in.Code)
	if in.Verb == "INFO" {
		c, err := s.area().CaseByCode(ctx, tx, sc, in.Code)
		if domain.IsNotFound(err) {
			return unknownCode(in.Code), nil
		}
		if err != nil {
			return Result{}, err
		}
		return Result{Kind: KindInfo, CaseID: c.ID, Reply: reply("sms.reply.info", pretty, caseStatus(c.Status))}, nil
	}
	kind, to := KindAck, domain.StatusAcknowledged
	if in.Verb == "TIBA" {
		kind, to = KindArrive, domain.StatusResponded
	}
	note := "SMS " + in.Verb
	if in.Channel == domain.ChannelWhatsApp {
		note = "WhatsApp " + in.Verb
	}
	c, outcome, err := s.area().StepByCode(ctx, tx, sc, in.Code, to, note)
	if domain.IsNotFound(err) {
		return unknownCode(in.Code), nil
	}
	if err != nil {
		return Result{}, err
	}
	res := Result{Kind: kind, CaseID: c.ID}
	switch {
	case outcome == cases.StepRefused:
		res.Kind, res.Reply = KindRefused, reply("sms.reply.refused", pretty, caseStatus(c.Status))
	case outcome == cases.StepAlready && to == domain.StatusAcknowledged:
		res.Reply = reply("sms.reply.ack.already", pretty, caseStatus(c.Status))
	case outcome == cases.StepAlready:
		res.Reply = reply("sms.reply.arrive.already", pretty)
	case to == domain.StatusAcknowledged:
		res.Reply = reply("sms.reply.ack", pretty)
	default:
		res.Reply = reply("sms.reply.arrive", pretty)
	}
	return res, nil
}
