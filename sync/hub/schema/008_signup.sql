-- Hub schema, version 8 (issue 17): members signed up at the counter, and the consent text
-- they agreed to.

-- Each provisional member a terminal signed up (P-<uuid7>) and the member it became: a new one,
-- or the member who had the number already. Records naming the provisional id resolve here.
CREATE TABLE provisional_members (
    provisional_id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    signup_id TEXT NOT NULL,           -- the signup interaction
    device_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    merged INTEGER NOT NULL DEFAULT 0, -- 1: joined a member who existed already
    consent_version TEXT NOT NULL,
    created_at {{BIGINT}} NOT NULL
);
CREATE INDEX provisional_members_member ON provisional_members(member_id);
CREATE INDEX provisional_members_store ON provisional_members(store_id, created_at);

-- The chain's consent wording, one row per version and language (id: "version/lang"), sent to
-- every terminal (feed entity signup_text); a sign-up stores the version it was shown.
CREATE TABLE signup_texts (
    id TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    published_at {{BIGINT}} NOT NULL
);
