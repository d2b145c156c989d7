package intake

import (
	"lindu/internal/domain"
	"lindu/internal/metrics"
)

// Outcomes of inbound messages, as the metrics count them
// (lindu_inbound_messages_total{channel, outcome}).
const (
	OutcomeReport    = "report"    // a new report
	OutcomeAppend    = "append"    // more text, an edit or a deletion noted on a report
	OutcomeStatus    = "status"    // STATUS answered
	OutcomeAck       = "ack"       // a responder's or provider's command acted on
	OutcomeHelp      = "help"      // HELP, an empty text
	OutcomeRefused   = "refused"   // not acted on: unknown code, not allowed, no usable sender or id
	OutcomeDuplicate = "duplicate" // seen before: nothing changed
	OutcomeIgnored   = "ignored"   // a reaction, a system notice, binary data, a webhook that is not lindu's
)

// Outcomes lists every outcome, for the metrics to start at zero.
var Outcomes = []string{OutcomeReport, OutcomeAppend, OutcomeStatus, OutcomeAck, OutcomeHelp, OutcomeRefused, OutcomeDuplicate,
	OutcomeIgnored}

// Outcome is what a handled message counts as.
func Outcome(r Result) string {
	if r.Duplicate {
		return OutcomeDuplicate
	}
	switch r.Kind {
	case KindReport:
		return OutcomeReport
	case KindAppend, KindEdit, KindRevoke:
		return OutcomeAppend
	case KindStatus:
		return OutcomeStatus
	case KindHelp:
		return OutcomeHelp
	case KindIgnored:
		return OutcomeIgnored
	case KindDenied, KindUnknownCode, KindRefused:
		return OutcomeRefused
	}
	return OutcomeAck
}

// InboundMetric is the counter of inbound messages by channel and outcome.
const InboundMetric = "lindu_inbound_messages_total"

// DeclareMetrics declares the inbound counter on m, every known series at
// zero. Authorization: wiring.
func DeclareMetrics(m *metrics.Registry) {
	m.Counter(InboundMetric, "Inbound SMS and WhatsApp messages by channel and outcome.", "channel", "outcome")
	for _, ch := range []domain.Channel{domain.ChannelSMS, domain.ChannelWhatsApp} {
		for _, o := range Outcomes {
			m.Add(InboundMetric, 0, string(ch), o)
		}
	}
	m.Counter(DeliveryMetric, "Delivery reports from the gateways, by channel and status (queued, sent, delivered, failed).", "channel", "status")
	for _, ch := range []domain.Channel{domain.ChannelSMS, domain.ChannelWhatsApp} {
		for _, st := range []string{"queued", "sent", "delivered", "failed"} {
			m.Add(DeliveryMetric, 0, string(ch), st)
		}
	}
}

// DeliveryMetric is the counter of delivery reports by channel and status.
const DeliveryMetric = "lindu_delivery_reports_total"

// CountDelivery counts a delivery report of channel ch (queued, sent,
// delivered, failed), when the service has metrics.
func (s *Service) CountDelivery(ch domain.Channel, status string) {
	if s.Metrics != nil {
		s.Metrics.Inc(DeliveryMetric, string(ch), status)
	}
}

// Count counts one inbound message (or webhook part) of channel ch with
// outcome o, when the service has metrics.
func (s *Service) Count(ch domain.Channel, o string) {
	if s.Metrics != nil {
		s.Metrics.Inc(InboundMetric, string(ch), o)
	}
}
