<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <source>Omni Clerk</source>
        <translation>Omni Clerk</translation>
    </message>
    <message>
        <source>Omni Clerk cannot start.</source>
        <translation>Omni Clerk cannot start.</translation>
    </message>
</context>
<context>
    <name>ClientBook</name>
    <message>
        <source>Follow-up open</source>
        <translation>Follow-up open</translation>
    </message>
    <message>
        <source>Cart with a coupon expiring soon</source>
        <translation>Cart with a coupon expiring soon</translation>
    </message>
    <message>
        <source>Birthday next week</source>
        <translation>Birthday next week</translation>
    </message>
    <message>
        <source>Not seen for 30 days</source>
        <translation>Not seen for 30 days</translation>
    </message>
    <message numerus="yes">
        <source>%n follow-up(s)</source>
        <translation>
            <numerusform>%n follow-up</numerusform>
            <numerusform>%n follow-ups</numerusform>
        </translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>My customers</source>
        <translation>My customers</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>Associate</translation>
    </message>
    <message>
        <source>Whose customers</source>
        <translation>Whose customers</translation>
    </message>
    <message>
        <source>Customers to reach out to first</source>
        <translation>Customers to reach out to first</translation>
    </message>
    <message>
        <source>No customers in this client book yet.</source>
        <translation>No customers in this client book yet.</translation>
    </message>
    <message>
        <source>Client book</source>
        <translation>Client book</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>%1 / %2 characters</source>
        <translation>%1 / %2 characters</translation>
    </message>
    <message>
        <source>What did the customer say or ask for? (Ctrl+Enter saves)</source>
        <translation>What did the customer say or ask for? (Ctrl+Enter saves)</translation>
    </message>
    <message>
        <source>Note text</source>
        <translation>Note text</translation>
    </message>
    <message>
        <source>Size, colour, anything to remember (optional)</source>
        <translation>Size, colour, anything to remember (optional)</translation>
    </message>
    <message>
        <source>Interest note</source>
        <translation>Interest note</translation>
    </message>
    <message>
        <source>Coupon to redeem</source>
        <translation>Coupon to redeem</translation>
    </message>
    <message>
        <source>PRODUCTS SOLD</source>
        <translation>PRODUCTS SOLD</translation>
    </message>
    <message>
        <source>FOUND IN THE CATALOGUE</source>
        <translation>FOUND IN THE CATALOGUE</translation>
    </message>
    <message>
        <source>SUGGESTED: ONLINE CART AND BROWSING</source>
        <translation>SUGGESTED: ONLINE CART AND BROWSING</translation>
    </message>
    <message>
        <source>No product matches — try the name in Chinese or English, or the SKU.</source>
        <translation>No product matches — try the name in Chinese or English, or the SKU.</translation>
    </message>
    <message>
        <source>Search the catalogue above, or scan the product&apos;s SKU.</source>
        <translation>Search the catalogue above, or scan the product&apos;s SKU.</translation>
    </message>
    <message>
        <source>Search products: name (中文 / English) or SKU</source>
        <translation>Search products: name (中文 / English) or SKU</translation>
    </message>
    <message>
        <source>Search the catalogue</source>
        <translation>Search the catalogue</translation>
    </message>
    <message>
        <source>Products (click or Enter picks)</source>
        <translation>Products (click or Enter picks)</translation>
    </message>
    <message>
        <source>Quantity of %1</source>
        <translation>Quantity of %1</translation>
    </message>
    <message>
        <source>Unit price of %1 in yuan</source>
        <translation>Unit price of %1 in yuan</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>Remove %1</translation>
    </message>
    <message>
        <source>No product yet: pick one above (a suggestion, a search or a scan).</source>
        <translation>No product yet: pick one above (a suggestion, a search or a scan).</translation>
    </message>
    <message>
        <source>Total paid (¥)</source>
        <translation>Total paid (¥)</translation>
    </message>
    <message>
        <source>Total paid in yuan</source>
        <translation>Total paid in yuan</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <source>Points to redeem</source>
        <translation>Points to redeem</translation>
    </message>
    <message>
        <source>Points redemption note</source>
        <translation>Points redemption note</translation>
    </message>
    <message>
        <source>Sale note</source>
        <translation>Sale note</translation>
    </message>
    <message>
        <source>Marketing messages (SMS, app, WeChat)</source>
        <translation>Marketing messages (SMS, app, WeChat)</translation>
    </message>
    <message>
        <source>Consent to marketing messages</source>
        <translation>Consent to marketing messages</translation>
    </message>
    <message>
        <source>Use online browsing to serve them in store</source>
        <translation>Use online browsing to serve them in store</translation>
    </message>
    <message>
        <source>Consent to use of browsing history</source>
        <translation>Consent to use of browsing history</translation>
    </message>
    <message>
        <source>Tick or untick what the customer said; saving records the change.</source>
        <translation>Tick or untick what the customer said; saving records the change.</translation>
    </message>
    <message>
        <source>What is it about? e.g. screen replacement</source>
        <translation>What is it about? e.g. screen replacement</translation>
    </message>
    <message>
        <source>Case subject</source>
        <translation>Case subject</translation>
    </message>
    <message>
        <source>Case note</source>
        <translation>Case note</translation>
    </message>
    <message>
        <source>What happened? (a note — or, closing, how it was resolved)</source>
        <translation>What happened? (a note — or, closing, how it was resolved)</translation>
    </message>
    <message>
        <source>Close the case (resolved)</source>
        <translation>Close the case (resolved)</translation>
    </message>
    <message>
        <source>Close the case</source>
        <translation>Close the case</translation>
    </message>
    <message>
        <source>e.g. call when size 38 arrives</source>
        <translation>e.g. call when size 38 arrives</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>What to do</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>Due date</translation>
    </message>
    <message>
        <source>Contacts the customer</source>
        <translation>Contacts the customer</translation>
    </message>
    <message>
        <source>For you, due at 18:00 that day; synced to every terminal.</source>
        <translation>For you, due at 18:00 that day; synced to every terminal.</translation>
    </message>
    <message>
        <source>No marketing consent: only a task that does not contact the customer.</source>
        <translation>No marketing consent: only a task that does not contact the customer.</translation>
    </message>
    <message>
        <source>Nobody (not in a client book)</source>
        <translation>Nobody (not in a client book)</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>Associate</translation>
    </message>
    <message>
        <source>The customer joins this associate&apos;s client book on every terminal of the store.</source>
        <translation>The customer joins this associate&apos;s client book on every terminal of the store.</translation>
    </message>
    <message>
        <source>Add a note</source>
        <translation>Add a note</translation>
    </message>
    <message>
        <source>Product interest</source>
        <translation>Product interest</translation>
    </message>
    <message>
        <source>Redeem coupon</source>
        <translation>Redeem coupon</translation>
    </message>
    <message>
        <source>Assisted sale</source>
        <translation>Assisted sale</translation>
    </message>
    <message>
        <source>Redeem points</source>
        <translation>Redeem points</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Consent</translation>
    </message>
    <message>
        <source>Open a service case</source>
        <translation>Open a service case</translation>
    </message>
    <message>
        <source>Service case</source>
        <translation>Service case</translation>
    </message>
    <message>
        <source>Follow-up task</source>
        <translation>Follow-up task</translation>
    </message>
    <message>
        <source>Client book: assign</source>
        <translation>Client book: assign</translation>
    </message>
    <message>
        <source>Confirm redemption</source>
        <translation>Confirm redemption</translation>
    </message>
    <message>
        <source>Save and send again</source>
        <translation>Save and send again</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Withdraw the record</source>
        <translation>Withdraw the record</translation>
    </message>
    <message>
        <source>Withdraw the record: it is kept, never sent, never counted</source>
        <translation>Withdraw the record: it is kept, never sent, never counted</translation>
    </message>
    <message>
        <source>Draft kept</source>
        <translation>Draft kept</translation>
    </message>
    <message>
        <source>Undo discard</source>
        <translation>Undo discard</translation>
    </message>
    <message>
        <source>Discard draft</source>
        <translation>Discard draft</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Close (Esc)</translation>
    </message>
    <message>
        <source>In the online cart</source>
        <translation>In the online cart</translation>
    </message>
    <message>
        <source>Browsed online</source>
        <translation>Browsed online</translation>
    </message>
</context>
<context>
    <name>Customer</name>
    <message>
        <source>%1: conflict — %2</source>
        <translation>%1: conflict — %2</translation>
    </message>
    <message>
        <source>the hub flagged it for a manager</source>
        <translation>the hub flagged it for a manager</translation>
    </message>
    <message>
        <source>%1: rejected by the hub — %2</source>
        <translation>%1: rejected by the hub — %2</translation>
    </message>
    <message>
        <source>ask a store manager</source>
        <translation>ask a store manager</translation>
    </message>
    <message>
        <source>Note saved · will sync</source>
        <translation>Note saved · will sync</translation>
    </message>
    <message>
        <source>Interest saved · will sync</source>
        <translation>Interest saved · will sync</translation>
    </message>
    <message>
        <source>Coupon redeemed · will sync</source>
        <translation>Coupon redeemed · will sync</translation>
    </message>
    <message>
        <source>Sale saved · will sync</source>
        <translation>Sale saved · will sync</translation>
    </message>
    <message>
        <source>Points redeemed · will sync</source>
        <translation>Points redeemed · will sync</translation>
    </message>
    <message>
        <source>Consent saved · will sync</source>
        <translation>Consent saved · will sync</translation>
    </message>
    <message>
        <source>Case opened · will sync</source>
        <translation>Case opened · will sync</translation>
    </message>
    <message>
        <source>Case note saved · will sync</source>
        <translation>Case note saved · will sync</translation>
    </message>
    <message>
        <source>Case closed · will sync</source>
        <translation>Case closed · will sync</translation>
    </message>
    <message>
        <source>Follow-up saved · will sync</source>
        <translation>Follow-up saved · will sync</translation>
    </message>
    <message>
        <source>Follow-up updated · will sync</source>
        <translation>Follow-up updated · will sync</translation>
    </message>
    <message>
        <source>Client assigned · will sync</source>
        <translation>Client assigned · will sync</translation>
    </message>
    <message>
        <source>Contact recorded · will sync</source>
        <translation>Contact recorded · will sync</translation>
    </message>
    <message>
        <source>Saved · will sync</source>
        <translation>Saved · will sync</translation>
    </message>
    <message>
        <source>Note saved · synced</source>
        <translation>Note saved · synced</translation>
    </message>
    <message>
        <source>Interest saved · synced</source>
        <translation>Interest saved · synced</translation>
    </message>
    <message>
        <source>Coupon redeemed · synced</source>
        <translation>Coupon redeemed · synced</translation>
    </message>
    <message>
        <source>Sale saved · synced</source>
        <translation>Sale saved · synced</translation>
    </message>
    <message>
        <source>Consent saved · synced</source>
        <translation>Consent saved · synced</translation>
    </message>
    <message>
        <source>Saved · synced</source>
        <translation>Saved · synced</translation>
    </message>
    <message>
        <source>Walk-in visit saved · will sync</source>
        <translation>Walk-in visit saved · will sync</translation>
    </message>
    <message>
        <source>No coupon can be redeemed right now.</source>
        <translation>No coupon can be redeemed right now.</translation>
    </message>
    <message>
        <source>For %1 in the online cart (%2)</source>
        <translation>For %1 in the online cart (%2)</translation>
    </message>
    <message>
        <source>Redeem “%1” (%2, %3) for %4 now? Enter confirms, Esc cancels.</source>
        <translation>Redeem “%1” (%2, %3) for %4 now? Enter confirms, Esc cancels.</translation>
    </message>
    <message>
        <source>“%1” cannot be redeemed: %2.</source>
        <translation>“%1” cannot be redeemed: %2.</translation>
    </message>
    <message>
        <source>This terminal holds no points balance for this customer.</source>
        <translation>This terminal holds no points balance for this customer.</translation>
    </message>
    <message>
        <source>%1 points available here</source>
        <translation>%1 points available here</translation>
    </message>
    <message>
        <source>Redeem %1 points for %2 now? Balance after: %3. Enter confirms, Esc cancels.</source>
        <translation>Redeem %1 points for %2 now? Balance after: %3. Enter confirms, Esc cancels.</translation>
    </message>
    <message>
        <source>More than the balance: %1 points may be redeemed here.</source>
        <translation>More than the balance: %1 points may be redeemed here.</translation>
    </message>
    <message>
        <source>Pick the product above.</source>
        <translation>Pick the product above.</translation>
    </message>
    <message>
        <source>Barcode %1 is not in this store&apos;s catalogue.</source>
        <translation>Barcode %1 is not in this store&apos;s catalogue.</translation>
    </message>
    <message>
        <source>Coupon redeemed here: %1, −%2</source>
        <translation>Coupon redeemed here: %1, −%2</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>Computed from the lines: %1</source>
        <translation>Computed from the lines: %1</translation>
    </message>
    <message>
        <source>Draft kept — it is back when you open the form again.</source>
        <translation>Draft kept — it is back when you open the form again.</translation>
    </message>
    <message>
        <source>Draft kept: %1 — open it to go on.</source>
        <translation>Draft kept: %1 — open it to go on.</translation>
    </message>
    <message>
        <source>Draft discarded — Undo brings it back.</source>
        <translation>Draft discarded — Undo brings it back.</translation>
    </message>
    <message>
        <source>This record cannot be corrected in a form: withdraw it (or a manager dismisses it) on the dashboard.</source>
        <translation>This record cannot be corrected in a form: withdraw it (or a manager dismisses it) on the dashboard.</translation>
    </message>
    <message>
        <source>The hub did not take this record: %1. Correct it and save to send it again, or withdraw it.</source>
        <translation>The hub did not take this record: %1. Correct it and save to send it again, or withdraw it.</translation>
    </message>
    <message>
        <source>Corrected · it is sent again as a new record</source>
        <translation>Corrected · it is sent again as a new record</translation>
    </message>
    <message>
        <source>Record withdrawn</source>
        <translation>Record withdrawn</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Version %1: “%2”</source>
        <translation>Version %1: “%2”</translation>
    </message>
    <message>
        <source>Card %1</source>
        <translation>Card %1</translation>
    </message>
    <message>
        <source>Mobile number %1</source>
        <translation>Mobile number %1</translation>
    </message>
    <message>
        <source>Member code</source>
        <translation>Member code</translation>
    </message>
    <message>
        <source>Type the note first.</source>
        <translation>Type the note first.</translation>
    </message>
    <message>
        <source>Say what the case is about.</source>
        <translation>Say what the case is about.</translation>
    </message>
    <message>
        <source>Too long — at most %1 characters.</source>
        <translation>Too long — at most %1 characters.</translation>
    </message>
    <message>
        <source>Add the products sold.</source>
        <translation>Add the products sold.</translation>
    </message>
    <message>
        <source>A quantity is from 1 to %1.</source>
        <translation>A quantity is from 1 to %1.</translation>
    </message>
    <message>
        <source>Enter the sale amount.</source>
        <translation>Enter the sale amount.</translation>
    </message>
    <message>
        <source>Enter an amount from %1 to %2, in whole fen.</source>
        <translation>Enter an amount from %1 to %2, in whole fen.</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Nothing changed.</translation>
    </message>
    <message>
        <source>Enter the points to redeem.</source>
        <translation>Enter the points to redeem.</translation>
    </message>
    <message>
        <source>More points than the balance here.</source>
        <translation>More points than the balance here.</translation>
    </message>
    <message>
        <source>Enter whole points from 1 to %1.</source>
        <translation>Enter whole points from 1 to %1.</translation>
    </message>
    <message>
        <source>%1 held here</source>
        <translation>%1 held here</translation>
    </message>
    <message numerus="yes">
        <source>%n sale(s) pending points</source>
        <translation>
            <numerusform>%n sale pending points</numerusform>
            <numerusform>%n sales pending points</numerusform>
        </translation>
    </message>
    <message>
        <source>now %1</source>
        <translation>now %1</translation>
    </message>
    <message>
        <source>Served as a walk-in: the visit is counted, in no member&apos;s history. Notes, interest, sales, coupons and consent need a member.</source>
        <translation>Served as a walk-in: the visit is counted, in no member&apos;s history. Notes, interest, sales, coupons and consent need a member.</translation>
    </message>
    <message>
        <source>Recorded for the member with this card or number: the hub matches it when the terminal is back online.</source>
        <translation>Recorded for the member with this card or number: the hub matches it when the terminal is back online.</translation>
    </message>
    <message>
        <source>The hub has no member with this card or number. Serve them as a walk-in, or scan or type another card or number.</source>
        <translation>The hub has no member with this card or number. Serve them as a walk-in, or scan or type another card or number.</translation>
    </message>
    <message>
        <source>No member with this card or number on this terminal (offline). Serve them as a walk-in, scan another card or number — or, if they are a member, record for the hub to match when back online.</source>
        <translation>No member with this card or number on this terminal (offline). Serve them as a walk-in, scan another card or number — or, if they are a member, record for the hub to match when back online.</translation>
    </message>
    <message>
        <source>Not a member yet? Sign them up here — offline too: they are a member at once.</source>
        <translation>Not a member yet? Sign them up here — offline too: they are a member at once.</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>Walk-in</translation>
    </message>
    <message>
        <source>Sign up</source>
        <translation>Sign up</translation>
    </message>
    <message>
        <source>Link to a member</source>
        <translation>Link to a member</translation>
    </message>
    <message>
        <source>Another card or number</source>
        <translation>Another card or number</translation>
    </message>
    <message>
        <source>A member: the hub matches it</source>
        <translation>A member: the hub matches it</translation>
    </message>
    <message>
        <source>Needs a member: not for a walk-in or a card or number no one has.</source>
        <translation>Needs a member: not for a walk-in or a card or number no one has.</translation>
    </message>
    <message>
        <source>Managers only: a manager assigns customers to associates.</source>
        <translation>Managers only: a manager assigns customers to associates.</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Interest</source>
        <translation>Interest</translation>
    </message>
    <message>
        <source>Redeem</source>
        <translation>Redeem</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Sale</source>
        <translation>Sale</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Consent</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>Assign</translation>
    </message>
    <message>
        <source>Next customer</source>
        <translation>Next customer</translation>
    </message>
    <message>
        <source>Talking points</source>
        <translation>Talking points</translation>
    </message>
    <message>
        <source>Nothing stands out — ask how you can help.</source>
        <translation>Nothing stands out — ask how you can help.</translation>
    </message>
    <message>
        <source>Online cart</source>
        <translation>Online cart</translation>
    </message>
    <message>
        <source>The online cart is empty.</source>
        <translation>The online cart is empty.</translation>
    </message>
    <message>
        <source>Coupons</source>
        <translation>Coupons</translation>
    </message>
    <message>
        <source>No coupons.</source>
        <translation>No coupons.</translation>
    </message>
    <message>
        <source>Browsed online</source>
        <translation>Browsed online</translation>
    </message>
    <message>
        <source>No online browsing (or no consent to use it).</source>
        <translation>No online browsing (or no consent to use it).</translation>
    </message>
    <message>
        <source>Show all %1 products</source>
        <translation>Show all %1 products</translation>
    </message>
    <message>
        <source>Visits and notes</source>
        <translation>Visits and notes</translation>
    </message>
    <message>
        <source>No earlier visits.</source>
        <translation>No earlier visits.</translation>
    </message>
    <message>
        <source>Show all %1 entries</source>
        <translation>Show all %1 entries</translation>
    </message>
    <message>
        <source>Open service cases</source>
        <translation>Open service cases</translation>
    </message>
    <message>
        <source>No open service cases.</source>
        <translation>No open service cases.</translation>
    </message>
    <message>
        <source>Orders and returns</source>
        <translation>Orders and returns</translation>
    </message>
    <message>
        <source>No orders in the last 12 months.</source>
        <translation>No orders in the last 12 months.</translation>
    </message>
    <message>
        <source>Show all %1 orders</source>
        <translation>Show all %1 orders</translation>
    </message>
    <message>
        <source>Wishlist</source>
        <translation>Wishlist</translation>
    </message>
    <message>
        <source>Nothing on the wishlist.</source>
        <translation>Nothing on the wishlist.</translation>
    </message>
    <message>
        <source>Member not in this store&apos;s cache</source>
        <translation>Member not in this store&apos;s cache</translation>
    </message>
    <message>
        <source>New member, pending sync</source>
        <translation>New member, pending sync</translation>
    </message>
    <message>
        <source>Marketing ✓</source>
        <translation>Marketing ✓</translation>
    </message>
    <message>
        <source>No marketing</source>
        <translation>No marketing</translation>
    </message>
    <message>
        <source>Browsing ✓</source>
        <translation>Browsing ✓</translation>
    </message>
    <message>
        <source>No browsing data</source>
        <translation>No browsing data</translation>
    </message>
    <message>
        <source>Card ****%1</source>
        <translation>Card ****%1</translation>
    </message>
    <message>
        <source>Member since %1</source>
        <translation>Member since %1</translation>
    </message>
    <message>
        <source>points</source>
        <translation>points</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 points</translation>
    </message>
    <message>
        <source>Customer %1, %2, %3 points</source>
        <translation>Customer %1, %2, %3 points</translation>
    </message>
    <message>
        <source>%1 · v%2</source>
        <translation>%1 · v%2</translation>
    </message>
    <message>
        <source>as of %1</source>
        <translation>as of %1</translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message numerus="yes">
        <source>%n pending</source>
        <translation>
            <numerusform>%n pending</numerusform>
            <numerusform>%n pending</numerusform>
        </translation>
    </message>
    <message>
        <source>synced %1</source>
        <translation>synced %1</translation>
    </message>
    <message>
        <source>The text is too long — at most %1 characters.</source>
        <translation>The text is too long — at most %1 characters.</translation>
    </message>
    <message>
        <source>A sale has at most %1 lines — record the rest separately.</source>
        <translation>A sale has at most %1 lines — record the rest separately.</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Not yet synced</source>
        <translation>Not yet synced</translation>
    </message>
    <message>
        <source>Sent, awaiting reply</source>
        <translation>Sent, awaiting reply</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Synced</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Conflict</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <source>Corrected</source>
        <translation>Corrected</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>Withdrawn</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>Dismissed</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>Visit</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Product interest</source>
        <translation>Product interest</translation>
    </message>
    <message>
        <source>Coupon redeemed</source>
        <translation>Coupon redeemed</translation>
    </message>
    <message>
        <source>Assisted sale</source>
        <translation>Assisted sale</translation>
    </message>
    <message>
        <source>Points redeemed</source>
        <translation>Points redeemed</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Consent</translation>
    </message>
    <message>
        <source>Case opened</source>
        <translation>Case opened</translation>
    </message>
    <message>
        <source>Case note</source>
        <translation>Case note</translation>
    </message>
    <message>
        <source>Case closed</source>
        <translation>Case closed</translation>
    </message>
    <message>
        <source>Sign-up</source>
        <translation>Sign-up</translation>
    </message>
    <message>
        <source>Identity linked</source>
        <translation>Identity linked</translation>
    </message>
    <message>
        <source>Conflict decision</source>
        <translation>Conflict decision</translation>
    </message>
    <message>
        <source>Audit record</source>
        <translation>Audit record</translation>
    </message>
    <message>
        <source>Follow-up task</source>
        <translation>Follow-up task</translation>
    </message>
    <message>
        <source>Follow-up updated</source>
        <translation>Follow-up updated</translation>
    </message>
    <message>
        <source>Client assigned</source>
        <translation>Client assigned</translation>
    </message>
    <message>
        <source>Customer contacted</source>
        <translation>Customer contacted</translation>
    </message>
    <message>
        <source>Walk-in (%1)</source>
        <translation>Walk-in (%1)</translation>
    </message>
    <message>
        <source>Returning</source>
        <translation>Returning</translation>
    </message>
    <message>
        <source>New</source>
        <translation>New</translation>
    </message>
    <message>
        <source>Other terminal</source>
        <translation>Other terminal</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Customer</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>Associate</translation>
    </message>
    <message>
        <source>New or returning</source>
        <translation>New or returning</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Length</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>Records</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>Unattributed</source>
        <translation>Unattributed</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Manager</translation>
    </message>
    <message>
        <source>No PIN yet</source>
        <translation>No PIN yet</translation>
    </message>
    <message>
        <source>Could not compute the figures.</source>
        <translation>Could not compute the figures.</translation>
    </message>
    <message>
        <source>Dashboard: %1</source>
        <translation>Dashboard: %1</translation>
    </message>
    <message>
        <source>%1 at the store</source>
        <translation>%1 at the store</translation>
    </message>
    <message>
        <source>Same day last week: %1</source>
        <translation>Same day last week: %1</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>Visits</translation>
    </message>
    <message>
        <source>%1 records in all</source>
        <translation>%1 records in all</translation>
    </message>
    <message>
        <source>Identified / walk-in</source>
        <translation>Identified / walk-in</translation>
    </message>
    <message>
        <source>members scanned / identities not in the cache</source>
        <translation>members scanned / identities not in the cache</translation>
    </message>
    <message>
        <source>New / returning</source>
        <translation>New / returning</translation>
    </message>
    <message>
        <source>first visit ever / came before</source>
        <translation>first visit ever / came before</translation>
    </message>
    <message numerus="yes">
        <source>%n sign-up(s) at the counter</source>
        <translation>
            <numerusform>%n sign-up at the counter</numerusform>
            <numerusform>%n sign-ups at the counter</numerusform>
        </translation>
    </message>
    <message>
        <source>Coupons redeemed</source>
        <translation>Coupons redeemed</translation>
    </message>
    <message>
        <source>Online carts converted</source>
        <translation>Online carts converted</translation>
    </message>
    <message>
        <source>Average visit</source>
        <translation>Average visit</translation>
    </message>
    <message>
        <source>first to last record of a visit</source>
        <translation>first to last record of a visit</translation>
    </message>
    <message>
        <source>Points issued / redeemed</source>
        <translation>Points issued / redeemed</translation>
    </message>
    <message>
        <source>credited by the hub for sales / redeemed at the counters</source>
        <translation>credited by the hub for sales / redeemed at the counters</translation>
    </message>
    <message>
        <source>Did it work?</source>
        <translation>Did it work?</translation>
    </message>
    <message>
        <source>no talking points shown yet</source>
        <translation>no talking points shown yet</translation>
    </message>
    <message>
        <source>talking points shown, then a sale or redemption in the visit</source>
        <translation>talking points shown, then a sale or redemption in the visit</translation>
    </message>
    <message numerus="yes">
        <source>Includes %n record(s) not yet synced</source>
        <translation>
            <numerusform>Includes %n record not yet synced</numerusform>
            <numerusform>Includes %n records not yet synced</numerusform>
        </translation>
    </message>
    <message>
        <source>All records synced</source>
        <translation>All records synced</translation>
    </message>
    <message>
        <source>%1 records, the oldest %2 old</source>
        <translation>%1 records, the oldest %2 old</translation>
    </message>
    <message>
        <source>Nothing waiting</source>
        <translation>Nothing waiting</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Never</translation>
    </message>
    <message>
        <source>Archived: corrected, withdrawn, dismissed (%1)</source>
        <translation>Archived: corrected, withdrawn, dismissed (%1)</translation>
    </message>
    <message>
        <source>Rejected by the hub (%1)</source>
        <translation>Rejected by the hub (%1)</translation>
    </message>
    <message>
        <source>Coupon conflicts (%1)</source>
        <translation>Coupon conflicts (%1)</translation>
    </message>
    <message>
        <source>Needs attention (%1): the hub failed on these by themselves; they are kept, not sent. Send them again once HQ has fixed the hub.</source>
        <translation>Needs attention (%1): the hub failed on these by themselves; they are kept, not sent. Send them again once HQ has fixed the hub.</translation>
    </message>
    <message>
        <source>Export visits</source>
        <translation>Export visits</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n visit(s) to %1</source>
        <translation>
            <numerusform>Exported %n visit to %1</numerusform>
            <numerusform>Exported %n visits to %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Open folder</translation>
    </message>
    <message>
        <source>Decision recorded; it syncs to the hub</source>
        <translation>Decision recorded; it syncs to the hub</translation>
    </message>
    <message>
        <source>Record withdrawn</source>
        <translation>Record withdrawn</translation>
    </message>
    <message>
        <source>Record dismissed</source>
        <translation>Record dismissed</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) will be sent again</source>
        <translation>
            <numerusform>%n record will be sent again</numerusform>
            <numerusform>%n records will be sent again</numerusform>
        </translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>Sales</translation>
    </message>
    <message>
        <source>Sales amount</source>
        <translation>Sales amount</translation>
    </message>
    <message>
        <source>Coupons</source>
        <translation>Coupons</translation>
    </message>
    <message>
        <source>The store (unassigned)</source>
        <translation>The store (unassigned)</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>Escalated</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Product</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Asked about</source>
        <translation>Asked about</translation>
    </message>
    <message>
        <source>Card ****%1</source>
        <translation>Card ****%1</translation>
    </message>
    <message>
        <source>A phone number (not on this terminal)</source>
        <translation>A phone number (not on this terminal)</translation>
    </message>
    <message>
        <source>A member code (not on this terminal)</source>
        <translation>A member code (not on this terminal)</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>Walk-in</translation>
    </message>
    <message>
        <source>%1 by %2</source>
        <translation>%1 by %2</translation>
    </message>
    <message>
        <source>When</source>
        <translation>When</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>The hub&apos;s answer</source>
        <translation>The hub&apos;s answer</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>Tries</translation>
    </message>
    <message>
        <source>Elsewhere (%1)</source>
        <translation>Elsewhere (%1)</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <source>Redeemed here</source>
        <translation>Redeemed here</translation>
    </message>
    <message>
        <source>Already redeemed</source>
        <translation>Already redeemed</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>Computing…</translation>
    </message>
    <message>
        <source>Today at the store</source>
        <translation>Today at the store</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Show today</source>
        <translation>Show today</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Compute the figures again</source>
        <translation>Compute the figures again</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Export CSV</translation>
    </message>
    <message>
        <source>Export the day&apos;s visits as CSV</source>
        <translation>Export the day&apos;s visits as CSV</translation>
    </message>
    <message>
        <source>Day shown</source>
        <translation>Day shown</translation>
    </message>
    <message>
        <source>Visits by hour</source>
        <translation>Visits by hour</translation>
    </message>
    <message>
        <source>Click a bar (or pick an hour below) to list its visits.</source>
        <translation>Click a bar (or pick an hour below) to list its visits.</translation>
    </message>
    <message>
        <source>All hours</source>
        <translation>All hours</translation>
    </message>
    <message>
        <source>Hour to list</source>
        <translation>Hour to list</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Show all</translation>
    </message>
    <message>
        <source>Show all visits of the day</source>
        <translation>Show all visits of the day</translation>
    </message>
    <message>
        <source>Associates</source>
        <translation>Associates</translation>
    </message>
    <message>
        <source>Follow-ups and client book</source>
        <translation>Follow-ups and client book</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <source>Products asked about</source>
        <translation>Products asked about</translation>
    </message>
    <message>
        <source>Sync health</source>
        <translation>Sync health</translation>
    </message>
    <message>
        <source>Waiting to sync</source>
        <translation>Waiting to sync</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>Last successful sync</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Last error</translation>
    </message>
    <message>
        <source>Rejected by the hub</source>
        <translation>Rejected by the hub</translation>
    </message>
    <message>
        <source>Coupon conflicts</source>
        <translation>Coupon conflicts</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Needs attention</translation>
    </message>
    <message>
        <source>Show archived</source>
        <translation>Show archived</translation>
    </message>
    <message>
        <source>List the records corrected, withdrawn or dismissed</source>
        <translation>List the records corrected, withdrawn or dismissed</translation>
    </message>
    <message>
        <source>Select a rejected or parked record to fix, withdraw or dismiss it.</source>
        <translation>Select a rejected or parked record to fix, withdraw or dismiss it.</translation>
    </message>
    <message>
        <source>Fix and resend</source>
        <translation>Fix and resend</translation>
    </message>
    <message>
        <source>Open the selected record&apos;s form to correct it and send it again</source>
        <translation>Open the selected record&apos;s form to correct it and send it again</translation>
    </message>
    <message>
        <source>Withdraw</source>
        <translation>Withdraw</translation>
    </message>
    <message>
        <source>Withdraw the selected record: kept, never sent, never counted</source>
        <translation>Withdraw the selected record: kept, never sent, never counted</translation>
    </message>
    <message>
        <source>Reason for dismissing</source>
        <translation>Reason for dismissing</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>Dismiss the selected record with the reason given</source>
        <translation>Dismiss the selected record with the reason given</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>Send again</translation>
    </message>
    <message>
        <source>Send the records that need attention to the hub again</source>
        <translation>Send the records that need attention to the hub again</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>Columns</translation>
    </message>
    <message>
        <source>Accept both</source>
        <translation>Accept both</translation>
    </message>
    <message>
        <source>Accept: keep both redemptions of the selected coupon</source>
        <translation>Accept: keep both redemptions of the selected coupon</translation>
    </message>
    <message>
        <source>Reverse ours</source>
        <translation>Reverse ours</translation>
    </message>
    <message>
        <source>Reverse: undo this store&apos;s redemption of the coupon</source>
        <translation>Reverse: undo this store&apos;s redemption of the coupon</translation>
    </message>
</context>
<context>
    <name>Demo</name>
    <message>
        <source>Demo member codes</source>
        <translation>Demo member codes</translation>
    </message>
    <message>
        <source>Member code of %1</source>
        <translation>Member code of %1</translation>
    </message>
    <message>
        <source>Call when size 38 arrives</source>
        <translation>Call when size 38 arrives</translation>
    </message>
    <message>
        <source>Tell her the watch strap is back in blue</source>
        <translation>Tell her the watch strap is back in blue</translation>
    </message>
    <message>
        <source>Asked about the watch strap in blue.</source>
        <translation>Asked about the watch strap in blue.</translation>
    </message>
    <message>
        <source>The customer did not want it kept</source>
        <translation>The customer did not want it kept</translation>
    </message>
    <message>
        <source>Chen Yu</source>
        <translation>Chen Yu</translation>
    </message>
</context>
<context>
    <name>Enrol</name>
    <message>
        <source>The hub&apos;s address must start with https:// — http:// only for a hub on this machine.</source>
        <translation>The hub&apos;s address must start with https:// — http:// only for a hub on this machine.</translation>
    </message>
    <message>
        <source>Enter the hub&apos;s full address, starting with https:// or http://.</source>
        <translation>Enter the hub&apos;s full address, starting with https:// or http://.</translation>
    </message>
    <message>
        <source>That is not an enrolment code — scan the enrolment QR code from IT or HQ.</source>
        <translation>That is not an enrolment code — scan the enrolment QR code from IT or HQ.</translation>
    </message>
    <message>
        <source>The hub does not answer at this address — check the address and the network connection, then try again.</source>
        <translation>The hub does not answer at this address — check the address and the network connection, then try again.</translation>
    </message>
    <message>
        <source>This code has already been used — ask for a new one.</source>
        <translation>This code has already been used — ask for a new one.</translation>
    </message>
    <message>
        <source>This code has expired — ask for a new one.</source>
        <translation>This code has expired — ask for a new one.</translation>
    </message>
    <message>
        <source>The hub does not accept this code for this store — check the store ID and the code.</source>
        <translation>The hub does not accept this code for this store — check the store ID and the code.</translation>
    </message>
    <message>
        <source>The hub is busy right now — try again in a minute.</source>
        <translation>The hub is busy right now — try again in a minute.</translation>
    </message>
    <message>
        <source>Something answers at this address, but it is not an Omni Clerk hub — check the address.</source>
        <translation>Something answers at this address, but it is not an Omni Clerk hub — check the address.</translation>
    </message>
    <message>
        <source>The hub refused the enrolment: %1</source>
        <translation>The hub refused the enrolment: %1</translation>
    </message>
    <message numerus="yes">
        <source>about %n second(s) left</source>
        <translation>
            <numerusform>about %n second left</numerusform>
            <numerusform>about %n seconds left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n minute(s) left</source>
        <translation>
            <numerusform>about %n minute left</numerusform>
            <numerusform>about %n minutes left</numerusform>
        </translation>
    </message>
    <message>
        <source>Read the enrolment QR code from an image</source>
        <translation>Read the enrolment QR code from an image</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)</source>
        <translation>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)</translation>
    </message>
    <message>
        <source>Enter the hub address.</source>
        <translation>Enter the hub address.</translation>
    </message>
    <message>
        <source>Enter the store ID.</source>
        <translation>Enter the store ID.</translation>
    </message>
    <message>
        <source>Enter or scan the enrolment code.</source>
        <translation>Enter or scan the enrolment code.</translation>
    </message>
    <message>
        <source>Connecting to the hub…</source>
        <translation>Connecting to the hub…</translation>
    </message>
    <message>
        <source>Enrolled to %1 (%2) at %3.</source>
        <translation>Enrolled to %1 (%2) at %3.</translation>
    </message>
    <message>
        <source>Asking the hub for the store&apos;s data…</source>
        <translation>Asking the hub for the store&apos;s data…</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) downloaded…</source>
        <translation>
            <numerusform>%n record downloaded…</numerusform>
            <numerusform>%n records downloaded…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 records</source>
        <translation>%1 of %2 records</translation>
    </message>
    <message numerus="yes">
        <source>Done — %n record(s) downloaded.</source>
        <translation>
            <numerusform>Done — %n record downloaded.</numerusform>
            <numerusform>Done — %n records downloaded.</numerusform>
        </translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Done.</translation>
    </message>
    <message>
        <source>The terminal is enrolled; the download stopped. What arrived is kept.</source>
        <translation>The terminal is enrolled; the download stopped. What arrived is kept.</translation>
    </message>
    <message>
        <source>Set up this terminal</source>
        <translation>Set up this terminal</translation>
    </message>
    <message>
        <source>Connect it to your store&apos;s hub once. IT or HQ gives you the hub address, the store ID and a one-time enrolment code (also printed as a QR code).</source>
        <translation>Connect it to your store&apos;s hub once. IT or HQ gives you the hub address, the store ID and a one-time enrolment code (also printed as a QR code).</translation>
    </message>
    <message>
        <source>1 · Connect to the hub</source>
        <translation>1 · Connect to the hub</translation>
    </message>
    <message>
        <source>2 · Download the store&apos;s data</source>
        <translation>2 · Download the store&apos;s data</translation>
    </message>
    <message>
        <source>Enrolment</source>
        <translation>Enrolment</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>Hub address</translation>
    </message>
    <message>
        <source>For example https://hub.example.com</source>
        <translation>For example https://hub.example.com</translation>
    </message>
    <message>
        <source>Store ID</source>
        <translation>Store ID</translation>
    </message>
    <message>
        <source>For example S001</source>
        <translation>For example S001</translation>
    </message>
    <message>
        <source>Enrolment code</source>
        <translation>Enrolment code</translation>
    </message>
    <message>
        <source>Type the code, scan its QR code with the scanner, or read it from the QR image file.</source>
        <translation>Type the code, scan its QR code with the scanner, or read it from the QR image file.</translation>
    </message>
    <message>
        <source>Name of this terminal</source>
        <translation>Name of this terminal</translation>
    </message>
    <message>
        <source>For example Counter 2</source>
        <translation>For example Counter 2</translation>
    </message>
    <message>
        <source>From image…</source>
        <translation>From image…</translation>
    </message>
    <message>
        <source>Read the code from a QR image</source>
        <translation>Read the code from a QR image</translation>
    </message>
    <message>
        <source>Downloading the store&apos;s data</source>
        <translation>Downloading the store&apos;s data</translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation>Download progress</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Connect</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>Downloading…</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Nothing is lost if the connection fails: your entries stay here and you can try again.</source>
        <translation>Nothing is lost if the connection fails: your entries stay here and you can try again.</translation>
    </message>
</context>
<context>
    <name>Fields</name>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Interest note</source>
        <translation>Interest note</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Product</translation>
    </message>
    <message>
        <source>Sale note</source>
        <translation>Sale note</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Products sold</source>
        <translation>Products sold</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Points note</source>
        <translation>Points note</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Consent</translation>
    </message>
    <message>
        <source>Case subject</source>
        <translation>Case subject</translation>
    </message>
    <message>
        <source>Case note</source>
        <translation>Case note</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>What to do</translation>
    </message>
</context>
<context>
    <name>FollowUps</name>
    <message>
        <source>Follow-up done · pending sync</source>
        <translation>Follow-up done · pending sync</translation>
    </message>
    <message>
        <source>Follow-up snoozed · pending sync</source>
        <translation>Follow-up snoozed · pending sync</translation>
    </message>
    <message>
        <source>Follow-up reassigned · pending sync</source>
        <translation>Follow-up reassigned · pending sync</translation>
    </message>
    <message>
        <source>Contact recorded · pending sync</source>
        <translation>Contact recorded · pending sync</translation>
    </message>
    <message>
        <source>This follow-up is done already.</source>
        <translation>This follow-up is done already.</translation>
    </message>
    <message>
        <source>This follow-up is not on this terminal.</source>
        <translation>This follow-up is not on this terminal.</translation>
    </message>
    <message>
        <source>That associate is not staff here.</source>
        <translation>That associate is not staff here.</translation>
    </message>
    <message>
        <source>No marketing consent: this customer may not be contacted.</source>
        <translation>No marketing consent: this customer may not be contacted.</translation>
    </message>
    <message>
        <source>Not seen for 30 days</source>
        <translation>Not seen for 30 days</translation>
    </message>
    <message>
        <source>Cart with a coupon expiring soon</source>
        <translation>Cart with a coupon expiring soon</translation>
    </message>
    <message>
        <source>Birthday coming</source>
        <translation>Birthday coming</translation>
    </message>
    <message>
        <source>Visited, nobody served them</source>
        <translation>Visited, nobody served them</translation>
    </message>
    <message>
        <source>due %1</source>
        <translation>due %1</translation>
    </message>
    <message>
        <source>For the store</source>
        <translation>For the store</translation>
    </message>
    <message>
        <source>For %1</source>
        <translation>For %1</translation>
    </message>
    <message>
        <source>Pending sync</source>
        <translation>Pending sync</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>Escalated</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>The store</source>
        <translation>The store</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <source>Open follow-ups, the overdue first</source>
        <translation>Open follow-ups, the overdue first</translation>
    </message>
    <message>
        <source>No open follow-ups. Well done.</source>
        <translation>No open follow-ups. Well done.</translation>
    </message>
    <message>
        <source>Follow-up tasks</source>
        <translation>Follow-up tasks</translation>
    </message>
    <message>
        <source>The selected follow-up</source>
        <translation>The selected follow-up</translation>
    </message>
    <message>
        <source>Called</source>
        <translation>Called</translation>
    </message>
    <message>
        <source>Messaged</source>
        <translation>Messaged</translation>
    </message>
    <message>
        <source>Came in</source>
        <translation>Came in</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>No answer</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Mark contacted</source>
        <translation>Mark contacted</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>Until</translation>
    </message>
    <message>
        <source>Snooze until</source>
        <translation>Snooze until</translation>
    </message>
    <message>
        <source>Snooze</source>
        <translation>Snooze</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Reassign to</source>
        <translation>Reassign to</translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation>Reassign</translation>
    </message>
    <message>
        <source>Saved here at once and synced to every terminal; a manager hands a task to an associate, anyone to the store.</source>
        <translation>Saved here at once and synced to every terminal; a manager hands a task to an associate, anyone to the store.</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <source>today</source>
        <translation>today</translation>
    </message>
    <message>
        <source>tomorrow</source>
        <translation>tomorrow</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>yesterday</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>just now</translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>%n min ago</numerusform>
            <numerusform>%n min ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>%n h ago</numerusform>
            <numerusform>%n h ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n days ago</source>
        <translation>
            <numerusform>%n day ago</numerusform>
            <numerusform>%n days ago</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HubReasons</name>
    <message>
        <source>the record is damaged and cannot be read</source>
        <translation>the record is damaged and cannot be read</translation>
    </message>
    <message>
        <source>the record is incomplete or has a value out of bounds</source>
        <translation>the record is incomplete or has a value out of bounds</translation>
    </message>
    <message>
        <source>another record was already sent under the same id</source>
        <translation>another record was already sent under the same id</translation>
    </message>
    <message>
        <source>this terminal looks like a copy of another one — call IT</source>
        <translation>this terminal looks like a copy of another one — call IT</translation>
    </message>
    <message>
        <source>no member has this code or number</source>
        <translation>no member has this code or number</translation>
    </message>
    <message>
        <source>the staff member&apos;s role may not record this</source>
        <translation>the staff member&apos;s role may not record this</translation>
    </message>
    <message>
        <source>recorded by someone who is not staff of this store</source>
        <translation>recorded by someone who is not staff of this store</translation>
    </message>
    <message>
        <source>the member is of another store and was not identified at this terminal</source>
        <translation>the member is of another store and was not identified at this terminal</translation>
    </message>
    <message>
        <source>recorded with a time in the future — check the terminal&apos;s clock</source>
        <translation>recorded with a time in the future — check the terminal&apos;s clock</translation>
    </message>
    <message>
        <source>recorded too long ago for the hub to take — check the terminal&apos;s clock</source>
        <translation>recorded too long ago for the hub to take — check the terminal&apos;s clock</translation>
    </message>
    <message>
        <source>the coupon is unknown</source>
        <translation>the coupon is unknown</translation>
    </message>
    <message>
        <source>the hub has no such case for this member</source>
        <translation>the hub has no such case for this member</translation>
    </message>
    <message>
        <source>a case with this id exists already</source>
        <translation>a case with this id exists already</translation>
    </message>
    <message>
        <source>the coupon is another member&apos;s</source>
        <translation>the coupon is another member&apos;s</translation>
    </message>
    <message>
        <source>the coupon was withdrawn</source>
        <translation>the coupon was withdrawn</translation>
    </message>
    <message>
        <source>the coupon was already redeemed elsewhere</source>
        <translation>the coupon was already redeemed elsewhere</translation>
    </message>
    <message>
        <source>the coupon had expired</source>
        <translation>the coupon had expired</translation>
    </message>
    <message>
        <source>the coupon was not valid yet</source>
        <translation>the coupon was not valid yet</translation>
    </message>
    <message>
        <source>more points than the balance: redeemed at another terminal too</source>
        <translation>more points than the balance: redeemed at another terminal too</translation>
    </message>
    <message>
        <source>the record it decides on is unknown</source>
        <translation>the record it decides on is unknown</translation>
    </message>
    <message>
        <source>the phone number of the sign-up cannot be read</source>
        <translation>the phone number of the sign-up cannot be read</translation>
    </message>
    <message>
        <source>the number was a member&apos;s already: the sign-up joined them</source>
        <translation>the number was a member&apos;s already: the sign-up joined them</translation>
    </message>
    <message>
        <source>the member&apos;s code or number did not prove who they are</source>
        <translation>the member&apos;s code or number did not prove who they are</translation>
    </message>
    <message>
        <source>the card number linked is not one</source>
        <translation>the card number linked is not one</translation>
    </message>
    <message>
        <source>the card, number or account linked is another member&apos;s: for a person</source>
        <translation>the card, number or account linked is another member&apos;s: for a person</translation>
    </message>
    <message>
        <source>the same member code was also scanned at another terminal</source>
        <translation>the same member code was also scanned at another terminal</translation>
    </message>
    <message>
        <source>the customer has not agreed to be contacted</source>
        <translation>the customer has not agreed to be contacted</translation>
    </message>
    <message>
        <source>the follow-up task is unknown</source>
        <translation>the follow-up task is unknown</translation>
    </message>
    <message>
        <source>the assignee is not staff of the store</source>
        <translation>the assignee is not staff of the store</translation>
    </message>
    <message>
        <source>the follow-up was already done at another terminal</source>
        <translation>the follow-up was already done at another terminal</translation>
    </message>
    <message>
        <source>audit rows are missing before this one</source>
        <translation>audit rows are missing before this one</translation>
    </message>
    <message>
        <source>the audit log was rewritten before this row</source>
        <translation>the audit log was rewritten before this row</translation>
    </message>
    <message>
        <source>this audit row was edited</source>
        <translation>this audit row was edited</translation>
    </message>
    <message>
        <source>this audit row cannot be read</source>
        <translation>this audit row cannot be read</translation>
    </message>
    <message>
        <source>this audit row was sent again with other content</source>
        <translation>this audit row was sent again with other content</translation>
    </message>
    <message>
        <source>the hub refused it</source>
        <translation>the hub refused it</translation>
    </message>
</context>
<context>
    <name>Link</name>
    <message>
        <source>Card linked to %1 · will sync</source>
        <translation>Card linked to %1 · will sync</translation>
    </message>
    <message>
        <source>Number linked to %1 · will sync</source>
        <translation>Number linked to %1 · will sync</translation>
    </message>
    <message>
        <source>The link was not applied — %1</source>
        <translation>The link was not applied — %1</translation>
    </message>
    <message>
        <source>ask a store manager</source>
        <translation>ask a store manager</translation>
    </message>
    <message>
        <source>This card or number cannot be linked: scan or type it again.</source>
        <translation>This card or number cannot be linked: scan or type it again.</translation>
    </message>
    <message>
        <source>No member on this terminal has this code or number. Scan the member&apos;s code, or sync and try again.</source>
        <translation>No member on this terminal has this code or number. Scan the member&apos;s code, or sync and try again.</translation>
    </message>
    <message>
        <source>Scan the member&apos;s code, or type their full mobile number (e.g. 138 1234 5678).</source>
        <translation>Scan the member&apos;s code, or type their full mobile number (e.g. 138 1234 5678).</translation>
    </message>
    <message>
        <source>Link to a member</source>
        <translation>Link to a member</translation>
    </message>
    <message>
        <source>Card %1: linked to the member who proves who they are.</source>
        <translation>Card %1: linked to the member who proves who they are.</translation>
    </message>
    <message>
        <source>Number %1: linked to the member who proves who they are.</source>
        <translation>Number %1: linked to the member who proves who they are.</translation>
    </message>
    <message>
        <source>Member&apos;s code or full mobile number</source>
        <translation>Member&apos;s code or full mobile number</translation>
    </message>
    <message>
        <source>Scan the code in the member&apos;s app, or type the mobile number they joined with.</source>
        <translation>Scan the code in the member&apos;s app, or type the mobile number they joined with.</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Link</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Read a member code from an image</source>
        <translation>Read a member code from an image</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)</source>
        <translation>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Syncing…</translation>
    </message>
    <message>
        <source>Omni Clerk</source>
        <translation>Omni Clerk</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Back (Esc)</source>
        <translation>Back (Esc)</translation>
    </message>
    <message>
        <source>Scan or type the next member (F2)</source>
        <translation>Scan or type the next member (F2)</translation>
    </message>
    <message>
        <source>Next member code, card or phone</source>
        <translation>Next member code, card or phone</translation>
    </message>
    <message>
        <source>Switch language</source>
        <translation>Switch language</translation>
    </message>
    <message>
        <source>Switch language (Ctrl+L)</source>
        <translation>Switch language (Ctrl+L)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Settings (F10)</source>
        <translation>Settings (F10)</translation>
    </message>
    <message>
        <source>My customers</source>
        <translation>My customers</translation>
    </message>
    <message>
        <source>My customers (Ctrl+B)</source>
        <translation>My customers (Ctrl+B)</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <source>Follow-ups (Ctrl+U)</source>
        <translation>Follow-ups (Ctrl+U)</translation>
    </message>
    <message>
        <source>Store dashboard</source>
        <translation>Store dashboard</translation>
    </message>
    <message>
        <source>Store dashboard (Ctrl+D)</source>
        <translation>Store dashboard (Ctrl+D)</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Sign out and lock the terminal (Ctrl+Shift+L)</source>
        <translation>Sign out and lock the terminal (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>Offer</name>
    <message>
        <source>%1% off</source>
        <comment>%2 is the Chinese zhe rate, e.g. 8</comment>
        <translation>%1% off</translation>
    </message>
    <message>
        <source>%1 off</source>
        <translation>%1 off</translation>
    </message>
    <message>
        <source>on orders from %1</source>
        <translation>on orders from %1</translation>
    </message>
    <message>
        <source>selected products only</source>
        <translation>selected products only</translation>
    </message>
    <message>
        <source>on everything</source>
        <translation>on everything</translation>
    </message>
    <message>
        <source>Redeemed here · pending sync</source>
        <translation>Redeemed here · pending sync</translation>
    </message>
    <message>
        <source>Used %1</source>
        <translation>Used %1</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>Used</translation>
    </message>
    <message>
        <source>Valid from %1</source>
        <translation>Valid from %1</translation>
    </message>
    <message>
        <source>Expired %1</source>
        <translation>Expired %1</translation>
    </message>
    <message>
        <source>Expires %1</source>
        <translation>Expires %1</translation>
    </message>
</context>
<context>
    <name>Outreach</name>
    <message>
        <source>No marketing consent: no message to this customer.</source>
        <translation>No marketing consent: no message to this customer.</translation>
    </message>
    <message>
        <source>Message copied</source>
        <translation>Message copied</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>Message to %1</source>
        <translation>Message to %1</translation>
    </message>
    <message>
        <source>The message</source>
        <translation>The message</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Share</translation>
    </message>
    <message>
        <source>Mark contacted</source>
        <translation>Mark contacted</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Edit it if you like, then copy or share it, and mark the contact.</source>
        <translation>Edit it if you like, then copy or share it, and mark the contact.</translation>
    </message>
    <message>
        <source>This terminal holds no phone number or e-mail: copy the message, send it from the store&apos;s phone, then mark the contact.</source>
        <translation>This terminal holds no phone number or e-mail: copy the message, send it from the store&apos;s phone, then mark the contact.</translation>
    </message>
</context>
<context>
    <name>Panels</name>
    <message>
        <source>Added %1</source>
        <translation>Added %1</translation>
    </message>
    <message>
        <source>no longer sold</source>
        <translation>no longer sold</translation>
    </message>
    <message>
        <source>Coupon: %1 · %2</source>
        <translation>Coupon: %1 · %2</translation>
    </message>
    <message>
        <source>Qty %1</source>
        <translation>Qty %1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message numerus="yes">
        <source>%n view(s)</source>
        <translation>
            <numerusform>%n view</numerusform>
            <numerusform>%n views</numerusform>
        </translation>
    </message>
    <message>
        <source>Rejected — fix</source>
        <translation>Rejected — fix</translation>
    </message>
    <message>
        <source>Not sent — fix</source>
        <translation>Not sent — fix</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>Opened %1</translation>
    </message>
    <message>
        <source>Returned %1</source>
        <translation>Returned %1</translation>
    </message>
    <message>
        <source>Open repair #%1: %2</source>
        <translation>Open repair #%1: %2</translation>
    </message>
    <message>
        <source>Open complaint #%1: %2</source>
        <translation>Open complaint #%1: %2</translation>
    </message>
    <message>
        <source>Open case #%1: %2</source>
        <translation>Open case #%1: %2</translation>
    </message>
    <message>
        <source>today</source>
        <translation>today</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
    <message>
        <source>An order</source>
        <translation>An order</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>%1 and %2 more</source>
        <translation>%1 and %2 more</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s), %1</source>
        <translation>
            <numerusform>%n item, %1</numerusform>
            <numerusform>%n items, %1</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 points</translation>
    </message>
    <message>
        <source>marketing: %1</source>
        <translation>marketing: %1</translation>
    </message>
    <message>
        <source>browsing: %1</source>
        <translation>browsing: %1</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>yes</translation>
    </message>
    <message>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <source>Hub says: %1</source>
        <translation>Hub says: %1</translation>
    </message>
</context>
<context>
    <name>Reasons</name>
    <message>
        <source>Nothing was scanned — scan the member code again or type the card or phone number.</source>
        <translation>Nothing was scanned — scan the member code again or type the card or phone number.</translation>
    </message>
    <message>
        <source>This is not a complete member code, card or phone number — scan again or check the digits.</source>
        <translation>This is not a complete member code, card or phone number — scan again or check the digits.</translation>
    </message>
    <message>
        <source>This looks like a mobile number typed wrong: a mobile number has 11 digits and starts with 13–19 — check the number.</source>
        <translation>This looks like a mobile number typed wrong: a mobile number has 11 digits and starts with 13–19 — check the number.</translation>
    </message>
    <message>
        <source>The card number&apos;s check digit is wrong — check the digits or scan the card. Product barcodes are not member cards.</source>
        <translation>The card number&apos;s check digit is wrong — check the digits or scan the card. Product barcodes are not member cards.</translation>
    </message>
    <message>
        <source>This product barcode&apos;s check digit is wrong — scan it again or type the digits printed under it.</source>
        <translation>This product barcode&apos;s check digit is wrong — scan it again or type the digits printed under it.</translation>
    </message>
    <message>
        <source>That is a product barcode, not a member code, card or phone number.</source>
        <translation>That is a product barcode, not a member code, card or phone number.</translation>
    </message>
    <message>
        <source>That is a web link, not a member code — ask the customer to open the member code in the app.</source>
        <translation>That is a web link, not a member code — ask the customer to open the member code in the app.</translation>
    </message>
    <message>
        <source>That is a Wi-Fi QR code, not a member code — ask the customer to open the member code in the app.</source>
        <translation>That is a Wi-Fi QR code, not a member code — ask the customer to open the member code in the app.</translation>
    </message>
    <message>
        <source>That is not a member code — ask the customer to open the member code in the app, or type the card or phone number.</source>
        <translation>That is not a member code — ask the customer to open the member code in the app, or type the card or phone number.</translation>
    </message>
    <message>
        <source>The scan is far too long to be a member code — scan the member code again.</source>
        <translation>The scan is far too long to be a member code — scan the member code again.</translation>
    </message>
    <message>
        <source>This member code was signed with a key this terminal does not know yet — connect to sync the keys, or type the card or phone number.</source>
        <translation>This member code was signed with a key this terminal does not know yet — connect to sync the keys, or type the card or phone number.</translation>
    </message>
    <message>
        <source>This member code is not genuine — ask the customer to refresh the member code in the app, or type the card or phone number.</source>
        <translation>This member code is not genuine — ask the customer to refresh the member code in the app, or type the card or phone number.</translation>
    </message>
    <message>
        <source>This code has expired — ask the customer to refresh the member code in the app.</source>
        <translation>This code has expired — ask the customer to refresh the member code in the app.</translation>
    </message>
    <message>
        <source>This code is not valid yet — check this terminal&apos;s clock, or ask the customer to refresh the member code in the app.</source>
        <translation>This code is not valid yet — check this terminal&apos;s clock, or ask the customer to refresh the member code in the app.</translation>
    </message>
    <message>
        <source>Phone lookup is not available until this terminal has synced once — scan the member code or type the card number.</source>
        <translation>Phone lookup is not available until this terminal has synced once — scan the member code or type the card number.</translation>
    </message>
    <message>
        <source>No code was found in the image — hold the code steady and closer, or type the card or phone number.</source>
        <translation>No code was found in the image — hold the code steady and closer, or type the card or phone number.</translation>
    </message>
    <message>
        <source>The file is not a readable image — choose a PNG or JPEG file.</source>
        <translation>The file is not a readable image — choose a PNG or JPEG file.</translation>
    </message>
    <message>
        <source>No camera found — use the scanner, or type the card or phone number.</source>
        <translation>No camera found — use the scanner, or type the card or phone number.</translation>
    </message>
    <message>
        <source>This app may not use the camera — allow camera access in the system settings, or use the scanner.</source>
        <translation>This app may not use the camera — allow camera access in the system settings, or use the scanner.</translation>
    </message>
    <message>
        <source>The camera stopped working — pick another camera or use the scanner.</source>
        <translation>The camera stopped working — pick another camera or use the scanner.</translation>
    </message>
    <message>
        <source>The clipboard holds no image or text to read — copy the code first.</source>
        <translation>The clipboard holds no image or text to read — copy the code first.</translation>
    </message>
    <message>
        <source>Not in this store&apos;s cache — will sync. You can still record what happens; it is matched to the member later.</source>
        <translation>Not in this store&apos;s cache — will sync. You can still record what happens; it is matched to the member later.</translation>
    </message>
    <message>
        <source>The hub knows no member with this code or number — check it, or ask the customer to open the member code in the app.</source>
        <translation>The hub knows no member with this code or number — check it, or ask the customer to open the member code in the app.</translation>
    </message>
    <message>
        <source>The hub cannot be reached — working offline; records sync later.</source>
        <translation>The hub cannot be reached — working offline; records sync later.</translation>
    </message>
    <message>
        <source>This terminal was removed from the store — ask IT. Nothing recorded here is lost.</source>
        <translation>This terminal was removed from the store — ask IT. Nothing recorded here is lost.</translation>
    </message>
    <message>
        <source>The hub does not accept this terminal&apos;s credentials — ask IT to enrol it again. Nothing recorded here is lost.</source>
        <translation>The hub does not accept this terminal&apos;s credentials — ask IT to enrol it again. Nothing recorded here is lost.</translation>
    </message>
    <message>
        <source>This terminal cannot read or write its data files — free disk space or call IT. Nothing recorded so far is lost.</source>
        <translation>This terminal cannot read or write its data files — free disk space or call IT. Nothing recorded so far is lost.</translation>
    </message>
    <message>
        <source>The local cache was damaged and is being rebuilt from the hub.</source>
        <translation>The local cache was damaged and is being rebuilt from the hub.</translation>
    </message>
    <message>
        <source>Rebuilding the customer cache (it was damaged) — scan again; until it is back, customers are looked up at the hub. Nothing recorded is lost.</source>
        <translation>Rebuilding the customer cache (it was damaged) — scan again; until it is back, customers are looked up at the hub. Nothing recorded is lost.</translation>
    </message>
    <message>
        <source>This terminal&apos;s disk is full — free some space or call IT. Nothing recorded so far is lost.</source>
        <translation>This terminal&apos;s disk is full — free some space or call IT. Nothing recorded so far is lost.</translation>
    </message>
    <message>
        <source>This terminal ran out of memory — close other programs or restart the terminal. Nothing recorded so far is lost.</source>
        <translation>This terminal ran out of memory — close other programs or restart the terminal. Nothing recorded so far is lost.</translation>
    </message>
    <message>
        <source>This terminal may not read or write its data files — call IT to fix their permissions. Nothing recorded so far is lost.</source>
        <translation>This terminal may not read or write its data files — call IT to fix their permissions. Nothing recorded so far is lost.</translation>
    </message>
    <message>
        <source>Your role does not allow this — ask a store manager.</source>
        <translation>Your role does not allow this — ask a store manager.</translation>
    </message>
    <message>
        <source>A setting is not valid — check the settings.</source>
        <translation>A setting is not valid — check the settings.</translation>
    </message>
    <message>
        <source>Omni Clerk is already open on this terminal — switch to its window (it may be behind another one).</source>
        <translation>Omni Clerk is already open on this terminal — switch to its window (it may be behind another one).</translation>
    </message>
    <message>
        <source>This terminal&apos;s data is locked with a key that is missing — call IT to restore it. Do not enrol the terminal again: its unsynced records are in that data.</source>
        <translation>This terminal&apos;s data is locked with a key that is missing — call IT to restore it. Do not enrol the terminal again: its unsynced records are in that data.</translation>
    </message>
    <message>
        <source>This record is incomplete or has a value out of bounds — check the form.</source>
        <translation>This record is incomplete or has a value out of bounds — check the form.</translation>
    </message>
    <message>
        <source>Something went wrong — try again.</source>
        <translation>Something went wrong — try again.</translation>
    </message>
</context>
<context>
    <name>Scan</name>
    <message>
        <source>Barcode %1 is not in this store&apos;s catalogue.</source>
        <translation>Barcode %1 is not in this store&apos;s catalogue.</translation>
    </message>
    <message>
        <source>Product %1 · %2 (%3) — a product, not a member.</source>
        <translation>Product %1 · %2 (%3) — a product, not a member.</translation>
    </message>
</context>
<context>
    <name>ScanPage</name>
    <message>
        <source>Camera preview</source>
        <translation>Camera preview</translation>
    </message>
    <message>
        <source>Test camera</source>
        <translation>Test camera</translation>
    </message>
    <message>
        <source>Scan the member code</source>
        <translation>Scan the member code</translation>
    </message>
    <message>
        <source>Use the scanner or the camera — or type the card or phone number, a name, or the last four digits of the phone.</source>
        <translation>Use the scanner or the camera — or type the card or phone number, a name, or the last four digits of the phone.</translation>
    </message>
    <message>
        <source>Member code, card, phone, name or last four digits</source>
        <translation>Member code, card, phone, name or last four digits</translation>
    </message>
    <message>
        <source>Customers of this store</source>
        <translation>Customers of this store</translation>
    </message>
    <message>
        <source>No customer of this store matches.</source>
        <translation>No customer of this store matches.</translation>
    </message>
    <message>
        <source>Customers found: Up and Down to choose, Enter to open</source>
        <translation>Customers found: Up and Down to choose, Enter to open</translation>
    </message>
    <message>
        <source>Look up</source>
        <translation>Look up</translation>
    </message>
    <message>
        <source>Look up the member</source>
        <translation>Look up the member</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Turn the camera on or off</source>
        <translation>Turn the camera on or off</translation>
    </message>
    <message>
        <source>Image…</source>
        <translation>Image…</translation>
    </message>
    <message>
        <source>Read a code from an image file</source>
        <translation>Read a code from an image file</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>Paste</translation>
    </message>
    <message>
        <source>Read a code or number from the clipboard</source>
        <translation>Read a code or number from the clipboard</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>Camera:</translation>
    </message>
    <message>
        <source>Choose the camera</source>
        <translation>Choose the camera</translation>
    </message>
    <message>
        <source>F2 type · Ctrl+V paste an image · Esc next customer</source>
        <translation>F2 type · Ctrl+V paste an image · Esc next customer</translation>
    </message>
    <message>
        <source>Last customers</source>
        <translation>Last customers</translation>
    </message>
    <message>
        <source>Customers you serve appear here.</source>
        <translation>Customers you serve appear here.</translation>
    </message>
    <message>
        <source>“%1”: %2</source>
        <translation>“%1”: %2</translation>
    </message>
</context>
<context>
    <name>ScanView</name>
    <message>
        <source>Several customers have these last digits — which one?</source>
        <translation>Several customers have these last digits — which one?</translation>
    </message>
</context>
<context>
    <name>SearchResults</name>
    <message>
        <source>Card</source>
        <translation>Card</translation>
    </message>
    <message>
        <source>Phone ends</source>
        <translation>Phone ends</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Name starts</source>
        <translation>Name starts</translation>
    </message>
    <message>
        <source>Part of name</source>
        <translation>Part of name</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>never</source>
        <translation>never</translation>
    </message>
    <message>
        <source>not enrolled</source>
        <translation>not enrolled</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Back to scanning</source>
        <translation>Back to scanning</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Simplified Chinese</source>
        <translation>Simplified Chinese</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Screen layout</source>
        <translation>Screen layout</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <source>Handheld</source>
        <translation>Handheld</translation>
    </message>
    <message>
        <source>Counter desktop</source>
        <translation>Counter desktop</translation>
    </message>
    <message>
        <source>This terminal</source>
        <translation>This terminal</translation>
    </message>
    <message>
        <source>Managers only</source>
        <translation>Managers only</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>Hub address</translation>
    </message>
    <message>
        <source>Where this terminal syncs, e.g. https://hub.example.com</source>
        <translation>Where this terminal syncs, e.g. https://hub.example.com</translation>
    </message>
    <message>
        <source>Lock when idle</source>
        <translation>Lock when idle</translation>
    </message>
    <message>
        <source>Back to the sign-in screen after this long unused.</source>
        <translation>Back to the sign-in screen after this long unused.</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>minutes</translation>
    </message>
    <message>
        <source>Keep online browsing</source>
        <translation>Keep online browsing</translation>
    </message>
    <message>
        <source>Older browsing history is removed from this terminal.</source>
        <translation>Older browsing history is removed from this terminal.</translation>
    </message>
    <message>
        <source>days</source>
        <translation>days</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Used to scan member codes when there is no scanner.</source>
        <translation>Used to scan member codes when there is no scanner.</translation>
    </message>
    <message>
        <source>Save changes</source>
        <translation>Save changes</translation>
    </message>
    <message>
        <source>Undo changes</source>
        <translation>Undo changes</translation>
    </message>
    <message>
        <source>The hub address, the idle lock, data retention and the camera can be changed by a store manager. Sign in as a manager to change them.</source>
        <translation>The hub address, the idle lock, data retention and the camera can be changed by a store manager. Sign in as a manager to change them.</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Store</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Waiting to sync</source>
        <translation>Waiting to sync</translation>
    </message>
    <message>
        <source>Rejected by the hub</source>
        <translation>Rejected by the hub</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Conflicts</translation>
    </message>
    <message>
        <source>Last update from the hub</source>
        <translation>Last update from the hub</translation>
    </message>
    <message>
        <source>Last upload to the hub</source>
        <translation>Last upload to the hub</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Last error</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>Support</translation>
    </message>
    <message>
        <source>Copies versions, settings, sync status and the latest log lines for IT support. Customer data is never included.</source>
        <translation>Copies versions, settings, sync status and the latest log lines for IT support. Customer data is never included.</translation>
    </message>
    <message>
        <source>Copy diagnostics</source>
        <translation>Copy diagnostics</translation>
    </message>
    <message>
        <source>Enter the hub&apos;s full address, e.g. https://hub.example.com (http:// only for a hub on this machine)</source>
        <translation>Enter the hub&apos;s full address, e.g. https://hub.example.com (http:// only for a hub on this machine)</translation>
    </message>
    <message>
        <source>Enter a whole number from %1 to %2.</source>
        <translation>Enter a whole number from %1 to %2.</translation>
    </message>
    <message>
        <source>Too long: at most 200 characters.</source>
        <translation>Too long: at most 200 characters.</translation>
    </message>
    <message>
        <source>System default camera</source>
        <translation>System default camera</translation>
    </message>
    <message>
        <source>Saved camera (not connected)</source>
        <translation>Saved camera (not connected)</translation>
    </message>
    <message numerus="yes">
        <source>%n value(s) not saved — see below.</source>
        <translation>
            <numerusform>%n value not saved — see below.</numerusform>
            <numerusform>%n values not saved — see below.</numerusform>
        </translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation>Settings saved</translation>
    </message>
    <message>
        <source>Collecting diagnostics…</source>
        <translation>Collecting diagnostics…</translation>
    </message>
    <message>
        <source>Diagnostics copied — paste them into your message to IT.</source>
        <translation>Diagnostics copied — paste them into your message to IT.</translation>
    </message>
</context>
<context>
    <name>SignIn</name>
    <message numerus="yes">
        <source>Wrong PIN. %n attempt(s) left.</source>
        <translation>
            <numerusform>Wrong PIN. %n attempt left.</numerusform>
            <numerusform>Wrong PIN. %n attempts left.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Too many wrong PINs. Try again in %n second(s).</source>
        <translation>
            <numerusform>Too many wrong PINs. Try again in %n second.</numerusform>
            <numerusform>Too many wrong PINs. Try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <source>This account is disabled. Ask your manager.</source>
        <translation>This account is disabled. Ask your manager.</translation>
    </message>
    <message>
        <source>Unknown staff member. Sync with the hub and try again.</source>
        <translation>Unknown staff member. Sync with the hub and try again.</translation>
    </message>
    <message>
        <source>No PIN is set for this account yet. Ask HQ to set one.</source>
        <translation>No PIN is set for this account yet. Ask HQ to set one.</translation>
    </message>
    <message>
        <source>Sign-in refused: %1</source>
        <translation>Sign-in refused: %1</translation>
    </message>
    <message>
        <source>Enter your PIN.</source>
        <translation>Enter your PIN.</translation>
    </message>
    <message>
        <source>Choose your name first.</source>
        <translation>Choose your name first.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>You can try again now.</source>
        <translation>You can try again now.</translation>
    </message>
    <message>
        <source>Sign-in unavailable: %1</source>
        <translation>Sign-in unavailable: %1</translation>
    </message>
    <message numerus="yes">
        <source>Locked after %n minute(s) without use. Sign in again.</source>
        <translation>
            <numerusform>Locked after %n minute without use. Sign in again.</numerusform>
            <numerusform>Locked after %n minutes without use. Sign in again.</numerusform>
        </translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>Delete last digit</source>
        <translation>Delete last digit</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>Choose your name, then enter your PIN.</source>
        <translation>Choose your name, then enter your PIN.</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <source>No staff for this store yet: sync with the hub first.</source>
        <translation>No staff for this store yet: sync with the hub first.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
</context>
<context>
    <name>Signup</name>
    <message>
        <source>New member, pending sync. They scan this in the member app to finish joining; their member code works once the terminal has synced.</source>
        <translation>New member, pending sync. They scan this in the member app to finish joining; their member code works once the terminal has synced.</translation>
    </message>
    <message>
        <source>New member signed up · pending sync</source>
        <translation>New member signed up · pending sync</translation>
    </message>
    <message>
        <source>Type the full mobile number, e.g. 138 1234 5678.</source>
        <translation>Type the full mobile number, e.g. 138 1234 5678.</translation>
    </message>
    <message>
        <source>Type the customer&apos;s name.</source>
        <translation>Type the customer&apos;s name.</translation>
    </message>
    <message>
        <source>A birthday is a date: YYYY-MM-DD.</source>
        <translation>A birthday is a date: YYYY-MM-DD.</translation>
    </message>
    <message>
        <source>The chain&apos;s consent wording has not reached this terminal yet: sync once online, then sign the customer up.</source>
        <translation>The chain&apos;s consent wording has not reached this terminal yet: sync once online, then sign the customer up.</translation>
    </message>
    <message>
        <source>Consent (version %1)</source>
        <translation>Consent (version %1)</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>Consent</translation>
    </message>
    <message>
        <source>New member</source>
        <translation>New member</translation>
    </message>
    <message>
        <source>Mobile number</source>
        <translation>Mobile number</translation>
    </message>
    <message>
        <source>The full number: the member&apos;s app and offers use it.</source>
        <translation>The full number: the member&apos;s app and offers use it.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Birthday (optional)</source>
        <translation>Birthday (optional)</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Agrees to marketing messages</source>
        <translation>Agrees to marketing messages</translation>
    </message>
    <message>
        <source>Agrees to the use of online browsing in store</source>
        <translation>Agrees to the use of online browsing in store</translation>
    </message>
    <message>
        <source>Sign up</source>
        <translation>Sign up</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>Sync failed: %1 — it retries by itself.</source>
        <translation>Sync failed: %1 — it retries by itself.</translation>
    </message>
    <message>
        <source>Manager: %1</source>
        <translation>Manager: %1</translation>
    </message>
    <message>
        <source>Associate: %1</source>
        <translation>Associate: %1</translation>
    </message>
    <message>
        <source>No associate signed in</source>
        <translation>No associate signed in</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Last sync %1</source>
        <translation>Last sync %1</translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>Never synced</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting to sync</source>
        <translation>
            <numerusform>%n waiting to sync</numerusform>
            <numerusform>%n waiting to sync</numerusform>
        </translation>
    </message>
    <message>
        <source>All records synced</source>
        <translation>All records synced</translation>
    </message>
    <message numerus="yes">
        <source>%n need a manager</source>
        <translation>
            <numerusform>%n needs a manager</numerusform>
            <numerusform>%n need a manager</numerusform>
        </translation>
    </message>
    <message>
        <source>This terminal was removed from the store — ask IT. Nothing recorded here is lost: IT can export the unsent records.</source>
        <translation>This terminal was removed from the store — ask IT. Nothing recorded here is lost: IT can export the unsent records.</translation>
    </message>
    <message>
        <source>This terminal looks like a copy of another one (the hub saw its records twice). Ask IT to enrol it again before recording more.</source>
        <translation>This terminal looks like a copy of another one (the hub saw its records twice). Ask IT to enrol it again before recording more.</translation>
    </message>
    <message numerus="yes">
        <source>This terminal&apos;s clock is off by about %n minute(s) — member codes may be rejected. Set the date and time.</source>
        <translation>
            <numerusform>This terminal&apos;s clock is off by about %n minute — member codes may be rejected. Set the date and time.</numerusform>
            <numerusform>This terminal&apos;s clock is off by about %n minutes — member codes may be rejected. Set the date and time.</numerusform>
        </translation>
    </message>
    <message>
        <source>Customer data is from %1 — more than a day old. Connect to the network to sync.</source>
        <translation>Customer data is from %1 — more than a day old. Connect to the network to sync.</translation>
    </message>
    <message>
        <source>This terminal has no customer data yet — connect to the network to sync.</source>
        <translation>This terminal has no customer data yet — connect to the network to sync.</translation>
    </message>
    <message>
        <source>Working offline — everything you record is saved on this terminal and syncs when the network is back.</source>
        <translation>Working offline — everything you record is saved on this terminal and syncs when the network is back.</translation>
    </message>
    <message>
        <source>Offline — no network. Everything you record is saved on this terminal and syncs when the network is back.</source>
        <translation>Offline — no network. Everything you record is saved on this terminal and syncs when the network is back.</translation>
    </message>
    <message>
        <source>Offline — the hub does not answer. Everything you record is saved on this terminal and syncs as soon as it does.</source>
        <translation>Offline — the hub does not answer. Everything you record is saved on this terminal and syncs as soon as it does.</translation>
    </message>
    <message>
        <source>Synced with the hub</source>
        <translation>Synced with the hub</translation>
    </message>
    <message>
        <source>The local cache was damaged and is being rebuilt from the hub.</source>
        <translation>The local cache was damaged and is being rebuilt from the hub.</translation>
    </message>
</context>
<context>
    <name>Tags</name>
    <message>
        <source>Tech</source>
        <translation>Tech</translation>
    </message>
    <message>
        <source>Sneakers</source>
        <translation>Sneakers</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Running</translation>
    </message>
    <message>
        <source>Beauty</source>
        <translation>Beauty</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>Home</translation>
    </message>
    <message>
        <source>Buys gifts</source>
        <translation>Buys gifts</translation>
    </message>
    <message>
        <source>New parent</source>
        <translation>New parent</translation>
    </message>
    <message>
        <source>Outdoor</source>
        <translation>Outdoor</translation>
    </message>
    <message>
        <source>Looks for deals</source>
        <translation>Looks for deals</translation>
    </message>
    <message>
        <source>VIP events</source>
        <translation>VIP events</translation>
    </message>
    <message>
        <source>Fashion</source>
        <translation>Fashion</translation>
    </message>
    <message>
        <source>the app</source>
        <translation>the app</translation>
    </message>
    <message>
        <source>the web shop</source>
        <translation>the web shop</translation>
    </message>
    <message>
        <source>the mini program</source>
        <translation>the mini program</translation>
    </message>
    <message>
        <source>the store</source>
        <translation>the store</translation>
    </message>
    <message>
        <source>WeChat</source>
        <translation>WeChat</translation>
    </message>
    <message>
        <source>phone calls</source>
        <translation>phone calls</translation>
    </message>
    <message>
        <source>prefers %1</source>
        <translation>prefers %1</translation>
    </message>
    <message>
        <source> — </source>
        <translation> — </translation>
    </message>
</context>
<context>
    <name>TalkingPoints</name>
    <message numerus="yes">
        <source>In online cart %n day(s)</source>
        <translation>
            <numerusform>In online cart %n day</numerusform>
            <numerusform>In online cart %n days</numerusform>
        </translation>
    </message>
    <message>
        <source>Added to online cart today</source>
        <translation>Added to online cart today</translation>
    </message>
    <message>
        <source>%1: %2 %3 — coupon %4 expires %5</source>
        <translation>%1: %2 %3 — coupon %4 expires %5</translation>
    </message>
    <message numerus="yes">
        <source>Left in online cart for %n day(s): %1 %2</source>
        <translation>
            <numerusform>Left in online cart for %n day: %1 %2</numerusform>
            <numerusform>Left in online cart for %n days: %1 %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Coupon “%1” (%2) expires %3 — remind the customer</source>
        <translation>Coupon “%1” (%2) expires %3 — remind the customer</translation>
    </message>
    <message numerus="yes">
        <source>Viewed %1 %n time(s) online this week (%2)</source>
        <translation>
            <numerusform>Viewed %1 once online this week (%2)</numerusform>
            <numerusform>Viewed %1 %n times online this week (%2)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 points from %2 — a purchase today would upgrade</source>
        <translation>%1 points from %2 — a purchase today would upgrade</translation>
    </message>
    <message>
        <source>Offer %1 %2 — often viewed with %3 (%4)</source>
        <translation>Offer %1 %2 — often viewed with %3 (%4)</translation>
    </message>
    <message>
        <source>Offer %1 %2 — often bought with %3 (%4)</source>
        <translation>Offer %1 %2 — often bought with %3 (%4)</translation>
    </message>
    <message>
        <source>Birthday today — wish the customer a happy birthday</source>
        <translation>Birthday today — wish the customer a happy birthday</translation>
    </message>
    <message>
        <source>Birthday this month (%1)</source>
        <translation>Birthday this month (%1)</translation>
    </message>
    <message>
        <source>Worth mentioning: %1</source>
        <translation>Worth mentioning: %1</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>yesterday</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n day ago</numerusform>
            <numerusform>%n days ago</numerusform>
        </translation>
    </message>
    <message>
        <source>last week</source>
        <translation>last week</translation>
    </message>
    <message numerus="yes">
        <source>%n week(s) ago</source>
        <translation>
            <numerusform>%n week ago</numerusform>
            <numerusform>%n weeks ago</numerusform>
        </translation>
    </message>
    <message>
        <source>last month</source>
        <translation>last month</translation>
    </message>
    <message>
        <source>Returned %1 %2 — ask what went wrong</source>
        <translation>Returned %1 %2 — ask what went wrong</translation>
    </message>
    <message>
        <source>Bought %1 %2 — ask how it fits</source>
        <translation>Bought %1 %2 — ask how it fits</translation>
    </message>
    <message>
        <source>Bought %1 %2 — ask how they get on with it</source>
        <translation>Bought %1 %2 — ask how they get on with it</translation>
    </message>
    <message>
        <source>saves %1</source>
        <translation>saves %1</translation>
    </message>
    <message numerus="yes">
        <source>viewed %n time(s) this week</source>
        <translation>
            <numerusform>viewed once this week</numerusform>
            <numerusform>viewed %n times this week</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Terms</name>
    <message>
        <source>Pending sync</source>
        <translation>Pending sync</translation>
    </message>
    <message>
        <source>Basic</source>
        <translation>Basic</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>Silver</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>Gold</translation>
    </message>
    <message>
        <source>Platinum</source>
        <translation>Platinum</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Web</source>
        <translation>Web</translation>
    </message>
    <message>
        <source>Mini program</source>
        <translation>Mini program</translation>
    </message>
    <message>
        <source>Usable</source>
        <translation>Usable</translation>
    </message>
    <message>
        <source>Expiring soon</source>
        <translation>Expiring soon</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>Used</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expired</translation>
    </message>
    <message>
        <source>Not yet valid</source>
        <translation>Not yet valid</translation>
    </message>
    <message>
        <source>Store visit</source>
        <translation>Store visit</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Product interest</source>
        <translation>Product interest</translation>
    </message>
    <message>
        <source>Coupon redeemed</source>
        <translation>Coupon redeemed</translation>
    </message>
    <message>
        <source>Assisted sale</source>
        <translation>Assisted sale</translation>
    </message>
    <message>
        <source>Points redeemed</source>
        <translation>Points redeemed</translation>
    </message>
    <message>
        <source>Consent updated</source>
        <translation>Consent updated</translation>
    </message>
    <message>
        <source>in the online cart</source>
        <translation>in the online cart</translation>
    </message>
    <message>
        <source>browsed online</source>
        <translation>browsed online</translation>
    </message>
    <message>
        <source>Case opened</source>
        <translation>Case opened</translation>
    </message>
    <message>
        <source>Case note</source>
        <translation>Case note</translation>
    </message>
    <message>
        <source>Case closed</source>
        <translation>Case closed</translation>
    </message>
    <message>
        <source>Complaint</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <source>Repair</source>
        <translation>Repair</translation>
    </message>
    <message>
        <source>Service case</source>
        <translation>Service case</translation>
    </message>
    <message>
        <source>Online order</source>
        <translation>Online order</translation>
    </message>
    <message>
        <source>In-store purchase</source>
        <translation>In-store purchase</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Returned</translation>
    </message>
    <message>
        <source>bought before</source>
        <translation>bought before</translation>
    </message>
    <message>
        <source>Saved · pending sync</source>
        <translation>Saved · pending sync</translation>
    </message>
    <message>
        <source>Sent · awaiting hub</source>
        <translation>Sent · awaiting hub</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Synced</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Conflict</translation>
    </message>
    <message>
        <source>Tried on</source>
        <translation>Tried on</translation>
    </message>
    <message>
        <source>Asked about</source>
        <translation>Asked about</translation>
    </message>
    <message>
        <source>Cart + coupon</source>
        <translation>Cart + coupon</translation>
    </message>
    <message>
        <source>Coupon expiring</source>
        <translation>Coupon expiring</translation>
    </message>
    <message>
        <source>Viewed often</source>
        <translation>Viewed often</translation>
    </message>
    <message>
        <source>Left in cart</source>
        <translation>Left in cart</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <source>Near the next tier</source>
        <translation>Near the next tier</translation>
    </message>
    <message>
        <source>Offer: bought with</source>
        <translation>Offer: bought with</translation>
    </message>
    <message>
        <source>Offer: viewed with</source>
        <translation>Offer: viewed with</translation>
    </message>
</context>
</TS>
