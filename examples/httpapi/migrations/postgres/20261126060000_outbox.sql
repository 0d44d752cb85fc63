-- The outbox table of outbox.Schema("postgres"), which the service's domain
-- events are written to (outbox.Add) and relays publish from; written by
-- hand (no model maps it: migrate's diff and check exclude it).
-- migrate:up
CREATE TABLE outbox_messages (
	seq bigserial PRIMARY KEY,
	id text NOT NULL,
	topic text NOT NULL,
	key text NOT NULL,
	payload bytea NOT NULL,
	headers text NOT NULL,
	created_at bigint NOT NULL,
	state smallint NOT NULL DEFAULT 0,
	attempts integer NOT NULL DEFAULT 0,
	due_at bigint NOT NULL DEFAULT 0,
	claimed_until bigint NOT NULL DEFAULT 0,
	claimed_by text NOT NULL DEFAULT '',
	last_error text NOT NULL DEFAULT '',
	sent_at bigint NOT NULL DEFAULT 0
);
CREATE INDEX outbox_messages_pending ON outbox_messages (key, seq) WHERE state = 0;
CREATE INDEX outbox_messages_pending_seq ON outbox_messages (seq) WHERE state = 0;
CREATE INDEX outbox_messages_sent ON outbox_messages (sent_at) WHERE state = 1;

-- migrate:down
DROP TABLE outbox_messages;
