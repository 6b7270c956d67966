-- Hub schema, version 12 (issue 17 item 6). No ";" nor "--" inside a string here (statements
-- are split on them). The outreach messages a terminal drafts (clerk/outreach.py), per reason:
-- a task rule's name, manual, or any (the fallback). Placeholders in braces: {name}, {reason},
-- {days}, {date}, {coupon}, {product} (one the facts do not give is left out).
CREATE TABLE message_templates (
    id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,              -- inactive | cart_coupon | birthday | unserved_visit | manual | any
    text_zh TEXT NOT NULL,
    text_en TEXT NOT NULL,
    updated_at {{BIGINT}} NOT NULL
);
CREATE INDEX message_templates_reason ON message_templates(reason);
INSERT INTO message_templates (id, reason, text_zh, text_en, updated_at) VALUES
    ('inactive', 'inactive',
     '{name}，您好！好久不见（已有 {days} 天），我们很想念您。门店上了新品，欢迎随时回来看看。',
     'Hello {name}, it has been a while ({days} days) and we miss you. New arrivals are in store: come and see them any time.',
     0),
    ('cart_coupon', 'cart_coupon',
     '{name}，您好！您的优惠券 {coupon} 即将到期，购物车里的商品还在等您，欢迎到店使用。',
     'Hello {name}, your coupon {coupon} expires soon and the items in your cart are waiting. Come in and use it.',
     0),
    ('birthday', 'birthday',
     '{name}，您好！提前祝您生日快乐（{date}）！生日当周到店有专属礼遇等您。',
     'Hello {name}, happy birthday in advance ({date})! A birthday treat is waiting for you in store that week.',
     0),
    ('unserved_visit', 'unserved_visit',
     '{name}，您好！感谢您近日光临，抱歉当时没能好好为您服务。有什么需要，随时联系我。',
     'Hello {name}, thank you for coming in recently, and sorry nobody could look after you. If there is anything you need, just let me know.',
     0),
    ('manual', 'manual',
     '{name}，您好！关于{reason}，我想跟您联系一下，方便时请回复我。',
     'Hello {name}, I would like to get in touch about {reason}. Please reply when convenient.',
     0),
    ('any', 'any',
     '{name}，您好！我是您的专属导购，有任何需要欢迎随时联系我。',
     'Hello {name}, I am your associate at the store. If there is anything you need, just let me know.',
     0);
INSERT INTO changes (store_id, entity, key, op) VALUES
    (NULL, 'template', 'inactive', 'upsert'),
    (NULL, 'template', 'cart_coupon', 'upsert'),
    (NULL, 'template', 'birthday', 'upsert'),
    (NULL, 'template', 'unserved_visit', 'upsert'),
    (NULL, 'template', 'manual', 'upsert'),
    (NULL, 'template', 'any', 'upsert');
