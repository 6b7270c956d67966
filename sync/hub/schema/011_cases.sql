-- Hub schema, version 11 (issue 18): service cases — complaints, repairs — opened in a store
-- (the case_open record's id), in the CRM (import) or by an event (the Segment intake).
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    case_type TEXT NOT NULL,           -- complaint | repair | other
    subject TEXT NOT NULL,
    status TEXT NOT NULL,              -- open | closed
    sku TEXT,
    store_name TEXT,
    opened_at {{BIGINT}} NOT NULL,
    updated_at {{BIGINT}} NOT NULL,
    closed_at {{BIGINT}}
);
CREATE INDEX cases_member ON cases(member_id);
