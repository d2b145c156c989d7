-- The senders claim due messages of their channels (SMS, WhatsApp). The
-- in-app notifications (channel 'ui') stay pending in the same table for
-- ever, and under the index on (status, next_attempt_at) every claim read
-- past all of them: at 57,000 notifications a WhatsApp reply's claim took
-- most of lindu's CPU. This index holds only pending messages, by channel.
CREATE INDEX outbox_due ON outbox (channel, next_attempt_at, id) WHERE status = 'pending';
