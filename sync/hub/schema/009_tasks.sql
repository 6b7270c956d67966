-- Hub schema, version 9 (issue 17): follow-up tasks, the client book, and the chain's task
-- rules (sync/hub/tasks.py). Tasks and assignments are feed entities (clerk/shared/entities.py).

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,               -- the creating interaction's id, or the rule's own
    store_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    title TEXT NOT NULL,
    reason TEXT NOT NULL,              -- manual, or the rule's: inactive | cart_coupon | birthday | unserved_visit
    facts TEXT NOT NULL DEFAULT '{}',
    assignee TEXT,                     -- a staff id; NULL: the store
    due_at {{BIGINT}} NOT NULL,
    state TEXT NOT NULL,               -- open | done
    outcome TEXT,
    outreach INTEGER NOT NULL DEFAULT 1,
    created_by TEXT,
    created_at {{BIGINT}} NOT NULL,
    done_by TEXT,
    done_at {{BIGINT}},
    escalated_at {{BIGINT}},
    updated_at {{BIGINT}} NOT NULL
);
CREATE INDEX tasks_store_state ON tasks(store_id, state, due_at);
CREATE INDEX tasks_member ON tasks(member_id, reason);

CREATE TABLE assignments (
    member_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    staff_id TEXT,
    assigned_by TEXT,
    assigned_at {{BIGINT}} NOT NULL
);
CREATE INDEX assignments_store ON assignments(store_id, staff_id);

-- The chain's task rules: each enabled or not, with its parameters (JSON).
CREATE TABLE task_rules (
    rule TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL DEFAULT 1,
    params TEXT NOT NULL DEFAULT '{}',
    updated_at {{BIGINT}}
);
