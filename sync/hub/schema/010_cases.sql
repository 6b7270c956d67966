-- Hub schema, version 10 (issue 18). No ";" nor "--" inside a string here (statements are split
-- on them). Service cases — complaints, repairs — opened in a store
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

-- The wording of each consent by version (purpose: marketing | browsing), in both languages:
-- the newest in effect is shown with the member's consent and read out when it is asked for.
CREATE TABLE consent_texts (
    id TEXT PRIMARY KEY,               -- purpose:version
    purpose TEXT NOT NULL,
    version TEXT NOT NULL,
    text_zh TEXT NOT NULL,
    text_en TEXT NOT NULL,
    effective_at {{BIGINT}} NOT NULL
);
INSERT INTO consent_texts (id, purpose, version, text_zh, text_en, effective_at) VALUES
    ('marketing:2024-01', 'marketing', '2024-01',
     '我同意通过短信、App 和微信接收会员优惠与活动信息，可随时退订。',
     'I agree to receive member offers and event news by SMS, the app and WeChat, and can opt out at any time.',
     0),
    ('browsing:2024-01', 'browsing', '2024-01',
     '我同意门店导购参考我在 App、网站和小程序中的浏览与购物车记录为我提供服务。',
     'I agree that store staff may use what I browse and put in my cart in the app, on the web and in the mini program to serve me.',
     0);
INSERT INTO changes (store_id, entity, key, op) VALUES
    (NULL, 'consent_text', 'marketing:2024-01', 'upsert'),
    (NULL, 'consent_text', 'browsing:2024-01', 'upsert');
