-- Hub schema, version 6 (issue 16): master data imported from the retailer's systems
-- (clerk hub import …, POST /v1/admin/import/{kind}; sync/hub/imports/).

-- Each row a source sent, by its own id: our id of it and the digest of the row as last
-- imported (an unchanged row is a no-op; a changed one an update).
CREATE TABLE import_ids (
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    our_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    updated_at {{BIGINT}} NOT NULL,
    PRIMARY KEY (source, kind, external_id)
);

-- A file's import per (file digest, kind): the last row whose batch committed, and the counts
-- so far. A run of the same file resumes after rows_done unless it finished.
CREATE TABLE import_runs (
    digest TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    rows_done {{BIGINT}} NOT NULL,
    inserted {{BIGINT}} NOT NULL,
    updated {{BIGINT}} NOT NULL,
    unchanged {{BIGINT}} NOT NULL,
    refused {{BIGINT}} NOT NULL,
    started_at {{BIGINT}} NOT NULL,
    updated_at {{BIGINT}} NOT NULL,
    finished_at {{BIGINT}},
    PRIMARY KEY (digest, kind)
);
