package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/kla"
	"lindu/internal/musrenbang"
	"lindu/internal/stats"
)

// The report and case pages build many keys at run time (labels of the
// domain's enumerations, flashes after redirects, the case area's messages) and pass
// label keys to the form helpers; TestEveryKeyTranslated cannot see those,
// so this test lists them.
func TestCaseKeysTranslated(t *testing.T) {
	keys := map[string]string{}
	add := func(family string, values ...string) {
		for _, v := range values {
			keys[family+"."+v] = family
		}
	}
	var k kit
	add("cstatus", k.CaseStatuses()...)
	add("prio", k.Prios()...)
	add("vtype", k.VTypes()...)
	add("svc", domain.ServiceTypes...)
	add("place", domain.Places...)
	add("rel", domain.Relations...)
	// SIMFONI-PPA lists, labelled on the printable case file.
	add("edu", domain.Educations...)
	add("occ", domain.Occupations...)
	add("marital", domain.MaritalStatuses...)
	add("disab", domain.Disabilities...)
	add("plc", domain.PlacementKinds...)
	add("teamkind", domain.TeamKinds...)
	add("route", cases.DefaultRouting...)
	add("sex", "L", "P", "unknown")
	add("vgroup", "A", "P")
	add("rstatus", k.ReportStatuses()...)
	add("pstatus", "received", "in_review", "handled", "closed", "not_a_case")
	add("pstatus_text", "received", "in_review", "handled", "closed", "not_a_case")
	add("channel", "web", "api", "sms", "whatsapp", "staff")
	add("dl", "triage", "ack", "response", "police", "action", "visit", "referral", "transfer")
	add("planst", "draft", "submitted", "approved", "returned")
	add("risk", domain.RiskLevels...)
	add("need", domain.NeedDomains...)
	add("needlvl", domain.NeedLevels...)
	add("astatus", "planned", "in_progress", "done", "cancelled")
	add("actstep", "in_progress", "done", "cancelled")
	add("vstatus", "planned", "done", "missed", "cancelled")
	add("apkind", "plan", "closure", "reopen")
	add("apstatus", "pending", "approved", "returned", "withdrawn")
	add("reopenpol", domain.ReopenPolicies...)
	add("basis", domain.ConsentBases...)
	add("crel", domain.ConsentRelations...)
	add("pkind", domain.ProviderKinds...)
	add("refanswer", "accepted", "declined", "done")
	add("refstatus", "sent", "accepted", "declined", "done", "revoked")
	add("urgency", domain.Urgencies...)
	add("via", "sms", "whatsapp", "ui", "worker")
	add("trstatus", "requested", "accepted", "rejected", "cancelled")
	add("dlstate", "met", "met_late", "breached", "soon", "running", "stopped")
	add("dup", "same_village", "same_district", "within_3_days", "similar_text")
	add("event", "created", "transition", "note", "victim", "perpetrator", "service", "referral", "placement",
		"report_merged", "reassigned", "escalation", "emergency_access")
	add("ostatus", "pending", "sent", "delivered", "failed", "all")
	add("ochannel", "sms", "whatsapp", "ui")
	add("mkind", MediaKinds...)
	add("kind", domain.PlaceKinds...)
	add("owner", domain.OwnerCommunity, domain.OwnerGovernment)
	add("pstatus", domain.PlaceStatuses...)
	add("pevent", "created", "status", "checks", "warning", "edited")
	add("check", domain.CheckPass, domain.CheckFail, domain.CheckNA)
	add("staystatus", domain.StayHeld, domain.StayActive, domain.StayEnded, domain.StayReleased, domain.StayExpired, domain.StayAsked,
		domain.StayDeclined)
	add("dest", domain.ExitDestinations...)
	add("grade", "A", "B", "C")
	add("fkind", domain.FacilityKinds...)
	add("audstatus", "planned", "draft", "submitted")
	add("acstatus", "open", "answered", "closed")
	add("mrstatus", musrenbang.StatusPending, musrenbang.StatusApproved, musrenbang.StatusRejected, musrenbang.StatusMerged)
	add("mrstage", musrenbang.StageSelected, musrenbang.StageDiscussed, musrenbang.StageRKPD, musrenbang.StageNotRKPD, musrenbang.StagePostponed,
		musrenbang.StageAPBD, musrenbang.StageNotAPBD, musrenbang.StageImplemented, musrenbang.StageDone)
	add("mrcluster", musrenbang.Clusters...)
	add("mrcal", musrenbang.CalendarSteps...)
	add("mrflag", "phone", "nik", "email", "school", "name")
	add("mrevent", "submitted", "approved", "rejected", "merged", "merged_from", "split", "ticket.selected", "ticket.discussed", "ticket.rkpd",
		"ticket.not_rkpd", "ticket.postponed", "ticket.apbd", "ticket.not_apbd", "ticket.implemented", "ticket.done")
	add("flash", "calendar_saved", "forum_created", "proposal_gabung", "proposal_pisah", "proposal_sent", "proposal_setujui", "proposal_tiket",
		"proposal_tolak", "proposal_ubah", "supported", "ticket_step", "facilitator_added", "proposal_hapus-foto")
	add("flash", "facility_created", "audit_planned", "audit_saved", "audit_submitted", "action_answered", "action_closed")
	add("flash", "place_checked", "place_created", "place_status", "place_warned", "stay_held", "stay_started", "stay_terima",
		"stay_lepas", "stay_akhiri", "stay_pindah", "stay_perpanjang", "stay_asked",
		"place_training", "place_incentive", "place_visit", "stay_tinjau", "place_edited", "checklist_saved")
	add("incentive", append(domain.IncentiveKinds, domain.IncentivePerNight)...)
	add("stats.imp", stats.Importances...)
	add("stats.op", stats.Operators...)
	add("stats.m", stats.Measures()...)
	add("flash", "stats_published", "stats_explained", "stats_rule_added", "stats_rule_deleted", "stats_threshold_set", "stats_imported")
	for _, k := range stats.HistErrorKeys {
		add("stats.import", strings.TrimPrefix(k, "stats.import."))
		add("stats.import.refused", strings.TrimPrefix(k, "stats.import."))
	}
	// KLA verification (kla_verify.go, kla_verify_batch.go).
	add("flash", "kla_value_accepted", "kla_value_rejected", "kla_accepted_n")
	add("kla.status", (KLAVerifyPage{}).StatusList()...)
	add("kla.verify_order", "region", kla.OrderOldest, kla.OrderNewest)
	add("kla.verify_batch", "changed", "too_many", "twice")
	add("mstatus", MediaStates...)
	add("duefilter", "soon", "overdue")
	add("assignee", "me")
	add("nav", "cases", "reports", "teams", "outbox", "outbox_n", "outbox_many")
	for _, s := range domain.CaseStatuses {
		for _, to := range domain.NextStatuses(s) {
			if s == domain.StatusClosed {
				keys["caseact.reopen."+string(to)] = "actions"
			} else if to != domain.StatusAssigned {
				keys["caseact."+string(to)] = "actions"
			}
		}
	}
	add("flash", "report_verified", "report_merged", "report_rejected", "case_status", "case_assigned", "case_created",
		"case_created_review", "team_created", "team_saved", "duty_added", "sla_saved", "routing_saved", "case_emergency_access")
	for _, f := range []string{"note", "victim", "perpetrator", "service", "referral", "placement"} {
		keys["flash.case_"+f+"_added"] = "flash"
	}
	// Field messages the case area (and these handlers) give for the
	// forms, and the conflicts and refusals of actions.
	add("field", "age", "date", "max_chars", "sex")
	add("case.field", "region_village", "priority", "types_required", "type_unknown", "place_unknown", "too_long",
		"region_outside", "region_unknown", "assignee_required", "team_unknown", "team_area", "assignee_unknown",
		"assignee_role", "relation", "service_type", "agency", "placement_kind", "place_name", "to_date", "note",
		"victim_unknown", "access_reason", "status", "close_reason", "reopen_reason")
	add("report.field", "description_short", "region", "region_outside_service", "region_several", "region_not_found",
		"child_age", "phone", "reject_reason", "case_code_unknown", "case_code_required")
	add("teams.field", "name", "village_region", "district_region", "kind", "region_code", "members", "steps_once",
		"steps_required", "duty_region", "duty_end", "duty_user", "ack_minutes", "response_minutes", "datetime", "minutes")
	add("case.err", "bad_transition", "reopen_not_reached", "reopen_reached", "supervisor_only", "close_early", "changed",
		"closed", "verify_first", "closed_reopen", "already_personal", "forbidden_enter", "forbidden_view")
	add("teams.err", "forbidden_manage", "forbidden_view", "forbidden_duty", "forbidden_view_duty", "deployment_wide")
	add("report.err", "forbidden_triage")
	add("msg", "report_handled", "bad_transition")
	add("duration", "hours", "minutes")
	// Documents of a case (case_documents.go, cases/documents.go).
	add("dockind", domain.DocumentKinds...)
	add("event", "document_added", "document_deleted")
	add("tl", "document_added", "document_deleted")
	add("flash", "case_document_added", "case_document_deleted")
	add("case.doc.err", "too_large", "type", "broken", "deleted")
	add("case.doc.field", "file", "kind", "reason")

	// Label, hint and empty-choice keys handed to the form helpers and the
	// region picker in templates.
	helper := regexp.MustCompile(`\.(Input|Textarea|Select|Choices|Radios|Checks) "[^"]*" "[^"]*" "[^"]*" "([a-z_.0-9]+)"([^}]*)\}\}`)
	opt := regexp.MustCompile(`"(?:hint|empty)=([a-z_.0-9]+)"`)
	picker := regexp.MustCompile(`RegionField "[^"]*" (?:\([^)]*\)|\S+) "([a-z_.0-9]+)"`)
	lbl := regexp.MustCompile(`\.Lbl "([a-z_]+)"`)
	families := map[string]bool{}
	for k := range keys {
		families[strings.SplitN(k, ".", 2)[0]] = true
	}
	fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		b, _ := fs.ReadFile(templateFS, p)
		s := string(b)
		for _, m := range helper.FindAllStringSubmatch(s, -1) {
			keys[m[2]] = p
			for _, o := range opt.FindAllStringSubmatch(m[3], -1) {
				keys[o[1]] = p
			}
		}
		for _, m := range picker.FindAllStringSubmatch(s, -1) {
			keys[m[1]] = p
		}
		for _, m := range lbl.FindAllStringSubmatch(s, -1) {
			if !families[m[1]] {
				t.Errorf("%s: label family %q is not listed in this test", p, m[1])
			}
		}
		return nil
	})
	if len(keys) < 200 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for key, where := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, key) {
				t.Errorf("%s: key %q missing in %s", where, key, lang)
			}
		}
	}
}
