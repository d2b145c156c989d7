-- Transfers of a case to another unit of lindu (another regency or city):
-- asked by the sending side with a reason, accepted (the case moves with
-- its history to the receiving region) or rejected by a supervisor of the
-- receiving region, or cancelled by the sender. After the move the
-- sending region keeps read-only access to the case as it was when it
-- left (decided_at). Same columns as the other dialect's 0022.
CREATE TABLE case_transfers (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_region  TEXT NOT NULL,
    to_region    TEXT NOT NULL REFERENCES regions (code),
    reason_enc   TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requester    TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decider      TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMPTZ,
    comment_enc  TEXT NOT NULL DEFAULT '',
    new_region   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_transfers_case ON case_transfers (case_id, requested_at);
CREATE INDEX case_transfers_to ON case_transfers (status, to_region);
CREATE INDEX case_transfers_from ON case_transfers (status, from_region);
