"""Every user-facing text built from domain codes, translated with ``translate()``.

Domain objects carry stable codes (a tier ``gold``, a coupon status ``expiring``, an
IdentifyError reason ``bad_check_digit``, a talking point rule ``cart_coupon`` with its facts);
this module turns them into sentences in the current language. The English source strings are
extracted by ``pyside6-lupdate`` into ``assets/i18n/*.ts``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ui.i18n import fmt_day, fmt_money, fmt_number, is_chinese, local
from ui.qt import QT_TRANSLATE_NOOP, QDate, QLocale, translate

if TYPE_CHECKING:
    from clerk.model import (
        ConsentText,
        Coupon,
        Identity,
        Order,
        PointsPanel,
        ServiceCase,
        TalkingPoint,
        VisitEntry,
    )

_ARG = re.compile(r"%([1-9])")


def fill(template: str, *args: object) -> str:
    """Replace ``%1`` … ``%9`` in one pass (an inserted value is never re-scanned)."""
    return _ARG.sub(
        lambda m: str(args[int(m.group(1)) - 1]) if int(m.group(1)) <= len(args) else m.group(0),
        template,
    )


# --- codes ---------------------------------------------------------------------------------

TIERS = {
    "basic": QT_TRANSLATE_NOOP("Terms", "Basic"),
    "silver": QT_TRANSLATE_NOOP("Terms", "Silver"),
    "gold": QT_TRANSLATE_NOOP("Terms", "Gold"),
    "platinum": QT_TRANSLATE_NOOP("Terms", "Platinum"),
}
CHANNELS = {
    "app": QT_TRANSLATE_NOOP("Terms", "App"),
    "web": QT_TRANSLATE_NOOP("Terms", "Web"),
    "mini": QT_TRANSLATE_NOOP("Terms", "Mini program"),
}
COUPON_STATUS = {
    "usable": QT_TRANSLATE_NOOP("Terms", "Usable"),
    "expiring": QT_TRANSLATE_NOOP("Terms", "Expiring soon"),
    "used": QT_TRANSLATE_NOOP("Terms", "Used"),
    "expired": QT_TRANSLATE_NOOP("Terms", "Expired"),
    "not_yet_valid": QT_TRANSLATE_NOOP("Terms", "Not yet valid"),
}
COUPON_TONE = {
    "usable": "good",
    "expiring": "accent",
    "used": "muted",
    "expired": "muted",
    "not_yet_valid": "info",
}
KINDS = {
    "visit": QT_TRANSLATE_NOOP("Terms", "Store visit"),
    "note": QT_TRANSLATE_NOOP("Terms", "Note"),
    "interest": QT_TRANSLATE_NOOP("Terms", "Product interest"),
    "redeem": QT_TRANSLATE_NOOP("Terms", "Coupon redeemed"),
    "sale": QT_TRANSLATE_NOOP("Terms", "Assisted sale"),
    "points_redeem": QT_TRANSLATE_NOOP("Terms", "Points redeemed"),
    "consent": QT_TRANSLATE_NOOP("Terms", "Consent updated"),
    "case_open": QT_TRANSLATE_NOOP("Terms", "Case opened"),
    "case_note": QT_TRANSLATE_NOOP("Terms", "Case note"),
    "case_close": QT_TRANSLATE_NOOP("Terms", "Case closed"),
}
# Member tags (cached with the member); ``prefers_…`` ones are preferences, the rest interests.
TAGS = {
    "tech": QT_TRANSLATE_NOOP("Tags", "Tech"),
    "sneakerhead": QT_TRANSLATE_NOOP("Tags", "Sneakers"),
    "runner": QT_TRANSLATE_NOOP("Tags", "Running"),
    "beauty": QT_TRANSLATE_NOOP("Tags", "Beauty"),
    "home": QT_TRANSLATE_NOOP("Tags", "Home"),
    "gift_buyer": QT_TRANSLATE_NOOP("Tags", "Buys gifts"),
    "new_parent": QT_TRANSLATE_NOOP("Tags", "New parent"),
    "outdoor": QT_TRANSLATE_NOOP("Tags", "Outdoor"),
    "deal_seeker": QT_TRANSLATE_NOOP("Tags", "Looks for deals"),
    "vip_events": QT_TRANSLATE_NOOP("Tags", "VIP events"),
    "fashion": QT_TRANSLATE_NOOP("Tags", "Fashion"),
    "prefers_app": QT_TRANSLATE_NOOP("Tags", "the app"),
    "prefers_web": QT_TRANSLATE_NOOP("Tags", "the web shop"),
    "prefers_mini": QT_TRANSLATE_NOOP("Tags", "the mini program"),
    "prefers_store": QT_TRANSLATE_NOOP("Tags", "the store"),
    "prefers_wechat": QT_TRANSLATE_NOOP("Tags", "WeChat"),
    "prefers_phone": QT_TRANSLATE_NOOP("Tags", "phone calls"),
}
PREFERENCE_PREFIX = "prefers_"


def _tag(code: str) -> str:
    """A tag in words; a tag new to this terminal as the CRM wrote it (underscores as spaces)."""
    source = TAGS.get(code)
    return (
        translate("Tags", source)
        if source
        else code.removeprefix(PREFERENCE_PREFIX).replace("_", " ")
    )


def consent_wording(text: ConsentText) -> str:
    """``Version 2024-01: “I agree to …”`` in the current language."""
    return fill(translate("Customer", "Version %1: “%2”"), text.version, local(text.text))


def identity_label(identity: Identity) -> str:
    """A card, number or code no member matches, as the associate reads it: "Card 6299 1796
    5226 0208" (the digits in fours, to check against the card), a phone masked as it was kept,
    never a raw reference such as ``card:6299…``."""
    if identity.kind == "card":
        digits = identity.value
        grouped = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
        return fill(translate("Customer", "Card %1"), grouped)
    if identity.kind == "phone":
        shown = (identity.display or "").removeprefix("phone:")
        return fill(translate("Customer", "Mobile number %1"), shown)
    if identity.kind == "code":
        return translate("Customer", "Member code")
    return identity.label


def profile_tags(tags: tuple[str, ...] | list[str]) -> str:
    """The header's line of tags and preferences: ``Tech · Running — prefers the app``."""
    sep = "、" if is_chinese() else " · "
    interests = [_tag(t) for t in tags if not t.startswith(PREFERENCE_PREFIX)]
    prefers = [_tag(t) for t in tags if t.startswith(PREFERENCE_PREFIX)]
    parts = []
    if interests:
        parts.append(sep.join(interests))
    if prefers:
        parts.append(fill(translate("Tags", "prefers %1"), sep.join(prefers)))
    return translate("Tags", " — ").join(parts)


CASE_TYPES = {
    "complaint": QT_TRANSLATE_NOOP("Terms", "Complaint"),
    "repair": QT_TRANSLATE_NOOP("Terms", "Repair"),
    "other": QT_TRANSLATE_NOOP("Terms", "Service case"),
}
ORDER_CHANNELS = {
    "online": QT_TRANSLATE_NOOP("Terms", "Online order"),
    "store": QT_TRANSLATE_NOOP("Terms", "In-store purchase"),
}
ORDER_STATES = {
    "completed": QT_TRANSLATE_NOOP("Terms", "Completed"),
    "refunded": QT_TRANSLATE_NOOP("Terms", "Returned"),
}
# Where the product a recommendation goes with is from (clerk/recommend.py).
OFFER_SOURCES = {
    "cart": QT_TRANSLATE_NOOP("Terms", "in the online cart"),
    "browsed": QT_TRANSLATE_NOOP("Terms", "browsed online"),
    "bought": QT_TRANSLATE_NOOP("Terms", "bought before"),
}
KIND_ICONS = {
    "visit": "store",
    "note": "note",
    "interest": "interest",
    "redeem": "redeem",
    "sale": "sale",
    "points_redeem": "redeem",
    "consent": "consent",
    "case_open": "warning",
    "case_note": "note",
    "case_close": "check",
}
SYNC_STATES = {
    "pending": QT_TRANSLATE_NOOP("Terms", "Saved · pending sync"),
    "sent": QT_TRANSLATE_NOOP("Terms", "Sent · awaiting hub"),
    "acked": QT_TRANSLATE_NOOP("Terms", "Synced"),
    "rejected": QT_TRANSLATE_NOOP("Terms", "Rejected"),
    "conflict": QT_TRANSLATE_NOOP("Terms", "Conflict"),
}
SYNC_TONE = {
    "pending": "warn",
    "sent": "info",
    "acked": "good",
    "rejected": "bad",
    "conflict": "bad",
}
INTEREST_ACTIONS = {
    "tried_on": QT_TRANSLATE_NOOP("Terms", "Tried on"),
    "asked_about": QT_TRANSLATE_NOOP("Terms", "Asked about"),
}


def term(table: Mapping[str, str], code: str | None) -> str:
    """The translated name of a code, or the code itself (humanised) if it is new to us."""
    if code is None:
        return ""
    source = table.get(code)
    if source is None:
        return code.replace("_", " ").capitalize()
    return translate("Terms", source)


def tier(code: str) -> str:
    return term(TIERS, code)


def channels(codes: tuple[str, ...] | list[str]) -> str:
    return " · ".join(term(CHANNELS, c) for c in codes)


# --- identify reasons: what to do next ------------------------------------------------------

REASONS: dict[str, str] = {
    "empty": QT_TRANSLATE_NOOP(
        "Reasons",
        "Nothing was scanned — scan the member code again or type the card or phone number.",
    ),
    "malformed": QT_TRANSLATE_NOOP(
        "Reasons",
        "This is not a complete member code, card or phone number — scan again or check the "
        "digits.",
    ),
    "bad_phone": QT_TRANSLATE_NOOP(
        "Reasons",
        "This looks like a mobile number typed wrong: a mobile number has 11 digits and starts "
        "with 13–19 — check the number.",
    ),
    "bad_check_digit": QT_TRANSLATE_NOOP(
        "Reasons",
        "The card number's check digit is wrong — check the digits or scan the card. Product "
        "barcodes are not member cards.",
    ),
    "bad_barcode": QT_TRANSLATE_NOOP(
        "Reasons",
        "This product barcode's check digit is wrong — scan it again or type the digits "
        "printed under it.",
    ),
    "product_barcode": QT_TRANSLATE_NOOP(
        "Reasons", "That is a product barcode, not a member code, card or phone number."
    ),
    "not_member_url": QT_TRANSLATE_NOOP(
        "Reasons",
        "That is a web link, not a member code — ask the customer to open the member code in "
        "the app.",
    ),
    "not_member_wifi": QT_TRANSLATE_NOOP(
        "Reasons",
        "That is a Wi-Fi QR code, not a member code — ask the customer to open the member code "
        "in the app.",
    ),
    "not_member_other": QT_TRANSLATE_NOOP(
        "Reasons",
        "That is not a member code — ask the customer to open the member code in the app, or "
        "type the card or phone number.",
    ),
    "too_long": QT_TRANSLATE_NOOP(
        "Reasons", "The scan is far too long to be a member code — scan the member code again."
    ),
    "unknown_key": QT_TRANSLATE_NOOP(
        "Reasons",
        "This member code was signed with a key this terminal does not know yet — connect to "
        "sync the keys, or type the card or phone number.",
    ),
    "bad_signature": QT_TRANSLATE_NOOP(
        "Reasons",
        "This member code is not genuine — ask the customer to refresh the member code in the "
        "app, or type the card or phone number.",
    ),
    "expired": QT_TRANSLATE_NOOP(
        "Reasons", "This code has expired — ask the customer to refresh the member code in the app."
    ),
    "not_yet_valid": QT_TRANSLATE_NOOP(
        "Reasons",
        "This code is not valid yet — check this terminal's clock, or ask the customer to "
        "refresh the member code in the app.",
    ),
    "no_phone_key": QT_TRANSLATE_NOOP(
        "Reasons",
        "Phone lookup is not available until this terminal has synced once — scan the member "
        "code or type the card number.",
    ),
    "no_code_found": QT_TRANSLATE_NOOP(
        "Reasons",
        "No code was found in the image — hold the code steady and closer, or type the card or "
        "phone number.",
    ),
    "unreadable_image": QT_TRANSLATE_NOOP(
        "Reasons", "The file is not a readable image — choose a PNG or JPEG file."
    ),
    "no_camera": QT_TRANSLATE_NOOP(
        "Reasons", "No camera found — use the scanner, or type the card or phone number."
    ),
    "camera_denied": QT_TRANSLATE_NOOP(
        "Reasons",
        "This app may not use the camera — allow camera access in the system settings, or use "
        "the scanner.",
    ),
    "camera_error": QT_TRANSLATE_NOOP(
        "Reasons", "The camera stopped working — pick another camera or use the scanner."
    ),
    "no_image_on_clipboard": QT_TRANSLATE_NOOP(
        "Reasons", "The clipboard holds no image or text to read — copy the code first."
    ),
    "not_cached": QT_TRANSLATE_NOOP(
        "Reasons",
        "Not in this store's cache — will sync. You can still record what happens; it is "
        "matched to the member later.",
    ),
    "unknown_member": QT_TRANSLATE_NOOP(
        "Reasons",
        "The hub knows no member with this code or number — check it, or ask the customer to "
        "open the member code in the app.",
    ),
    "offline": QT_TRANSLATE_NOOP(
        "Reasons", "The hub cannot be reached — working offline; records sync later."
    ),
    "device_revoked": QT_TRANSLATE_NOOP(
        "Reasons",
        "This terminal was removed from the store — ask IT. Nothing recorded here is lost.",
    ),
    "unauthorized": QT_TRANSLATE_NOOP(
        "Reasons",
        "The hub does not accept this terminal's credentials — ask IT to enrol it again. "
        "Nothing recorded here is lost.",
    ),
    "storage": QT_TRANSLATE_NOOP(
        "Reasons",
        "This terminal cannot read or write its data files — free disk space or call IT. "
        "Nothing recorded so far is lost.",
    ),
    "cache_corrupt": QT_TRANSLATE_NOOP(
        "Reasons", "The local cache was damaged and is being rebuilt from the hub."
    ),
    "cache_rebuilding": QT_TRANSLATE_NOOP(
        "Reasons",
        "Rebuilding the customer cache (it was damaged) — scan again; until it is back, "
        "customers are looked up at the hub. Nothing recorded is lost.",
    ),
    "disk_full": QT_TRANSLATE_NOOP(
        "Reasons",
        "This terminal's disk is full — free some space or call IT. Nothing recorded so far "
        "is lost.",
    ),
    "no_memory": QT_TRANSLATE_NOOP(
        "Reasons",
        "This terminal ran out of memory — close other programs or restart the terminal. "
        "Nothing recorded so far is lost.",
    ),
    "no_permission": QT_TRANSLATE_NOOP(
        "Reasons",
        "This terminal may not read or write its data files — call IT to fix their "
        "permissions. Nothing recorded so far is lost.",
    ),
    "permission_denied": QT_TRANSLATE_NOOP(
        "Reasons", "Your role does not allow this — ask a store manager."
    ),
    "config": QT_TRANSLATE_NOOP("Reasons", "A setting is not valid — check the settings."),
    "already_running": QT_TRANSLATE_NOOP(
        "Reasons",
        "Omni Clerk is already open on this terminal — switch to its window (it may be behind "
        "another one).",
    ),
    "db_key_missing": QT_TRANSLATE_NOOP(
        "Reasons",
        "This terminal's data is locked with a key that is missing — call IT to restore it. Do "
        "not enrol the terminal again: its unsynced records are in that data.",
    ),
    "invalid_record": QT_TRANSLATE_NOOP(
        "Reasons", "This record is incomplete or has a value out of bounds — check the form."
    ),
    "error": QT_TRANSLATE_NOOP("Reasons", "Something went wrong — try again."),
}


def reason_message(reason: str | None) -> str:
    source = REASONS.get(reason or "error", REASONS["error"])
    return translate("Reasons", source)


# --- the hub's answers about a record ------------------------------------------------------

# Every reason the hub gives for a rejected or flagged record (sync.protocol.ResultReason), as
# a phrase: shown after "rejected by the hub —", in the history's "Hub says: …", on the
# dashboard. tests/ui/test_i18n.py holds it to the protocol's list.
HUB_REASONS: dict[str, str] = {
    "bad_item": QT_TRANSLATE_NOOP("HubReasons", "the record is damaged and cannot be read"),
    "bad_payload": QT_TRANSLATE_NOOP(
        "HubReasons", "the record is incomplete or has a value out of bounds"
    ),
    "id_reused": QT_TRANSLATE_NOOP(
        "HubReasons", "another record was already sent under the same id"
    ),
    "device_seq_reused": QT_TRANSLATE_NOOP(
        "HubReasons", "this terminal looks like a copy of another one — call IT"
    ),
    "unknown_member": QT_TRANSLATE_NOOP("HubReasons", "no member has this code or number"),
    "staff_role": QT_TRANSLATE_NOOP("HubReasons", "the staff member's role may not record this"),
    "unknown_staff": QT_TRANSLATE_NOOP(
        "HubReasons", "recorded by someone who is not staff of this store"
    ),
    "member_not_served": QT_TRANSLATE_NOOP(
        "HubReasons",
        "the member is of another store and was not identified at this terminal",
    ),
    "created_in_future": QT_TRANSLATE_NOOP(
        "HubReasons", "recorded with a time in the future — check the terminal's clock"
    ),
    "created_too_long_ago": QT_TRANSLATE_NOOP(
        "HubReasons", "recorded too long ago for the hub to take — check the terminal's clock"
    ),
    "unknown_coupon": QT_TRANSLATE_NOOP("HubReasons", "the coupon is unknown"),
    "unknown_case": QT_TRANSLATE_NOOP("HubReasons", "the hub has no such case for this member"),
    "case_exists": QT_TRANSLATE_NOOP("HubReasons", "a case with this id exists already"),
    "coupon_not_member": QT_TRANSLATE_NOOP("HubReasons", "the coupon is another member's"),
    "coupon_void": QT_TRANSLATE_NOOP("HubReasons", "the coupon was withdrawn"),
    "coupon_already_used": QT_TRANSLATE_NOOP(
        "HubReasons", "the coupon was already redeemed elsewhere"
    ),
    "coupon_expired": QT_TRANSLATE_NOOP("HubReasons", "the coupon had expired"),
    "coupon_not_yet_valid": QT_TRANSLATE_NOOP("HubReasons", "the coupon was not valid yet"),
    "points_overdraft": QT_TRANSLATE_NOOP(
        "HubReasons", "more points than the balance: redeemed at another terminal too"
    ),
    "unknown_interaction": QT_TRANSLATE_NOOP("HubReasons", "the record it decides on is unknown"),
    "bad_phone": QT_TRANSLATE_NOOP("HubReasons", "the phone number of the sign-up cannot be read"),
    "member_exists": QT_TRANSLATE_NOOP(
        "HubReasons", "the number was a member's already: the sign-up joined them"
    ),
    "no_proof": QT_TRANSLATE_NOOP(
        "HubReasons", "the member's code or number did not prove who they are"
    ),
    "bad_card": QT_TRANSLATE_NOOP("HubReasons", "the card number linked is not one"),
    "identity_taken": QT_TRANSLATE_NOOP(
        "HubReasons", "the card, number or account linked is another member's: for a person"
    ),
    "jti_seen_elsewhere": QT_TRANSLATE_NOOP(
        "HubReasons", "the same member code was also scanned at another terminal"
    ),
    "no_marketing_consent": QT_TRANSLATE_NOOP(
        "HubReasons", "the customer has not agreed to be contacted"
    ),
    "unknown_task": QT_TRANSLATE_NOOP("HubReasons", "the follow-up task is unknown"),
    "unknown_assignee": QT_TRANSLATE_NOOP("HubReasons", "the assignee is not staff of the store"),
    "task_closed": QT_TRANSLATE_NOOP(
        "HubReasons", "the follow-up was already done at another terminal"
    ),
    "audit_chain_gap": QT_TRANSLATE_NOOP("HubReasons", "audit rows are missing before this one"),
    "audit_chain_rewrite": QT_TRANSLATE_NOOP(
        "HubReasons", "the audit log was rewritten before this row"
    ),
    "audit_row_edited": QT_TRANSLATE_NOOP("HubReasons", "this audit row was edited"),
    "audit_row_malformed": QT_TRANSLATE_NOOP("HubReasons", "this audit row cannot be read"),
    "audit_row_rewritten": QT_TRANSLATE_NOOP(
        "HubReasons", "this audit row was sent again with other content"
    ),
}


def hub_reason(code: str | None) -> str:
    """The hub's reason code as a phrase in the current language (a code new to this terminal:
    "the hub refused it", never the code)."""
    source = HUB_REASONS.get(code or "")
    if source is None:
        return translate("HubReasons", "the hub refused it")
    return translate("HubReasons", source)


# --- records refused before they are saved (clerk.shared.interactions) ----------------------


FORM_FIELDS = {
    ("note", "text"): QT_TRANSLATE_NOOP("Fields", "Note"),
    ("interest", "text"): QT_TRANSLATE_NOOP("Fields", "Interest note"),
    ("interest", "sku"): QT_TRANSLATE_NOOP("Fields", "Product"),
    ("sale", "text"): QT_TRANSLATE_NOOP("Fields", "Sale note"),
    ("sale", "amount_cents"): QT_TRANSLATE_NOOP("Fields", "Amount"),
    ("sale", "items"): QT_TRANSLATE_NOOP("Fields", "Products sold"),
    ("redeem", "coupon_id"): QT_TRANSLATE_NOOP("Fields", "Coupon"),
    ("points_redeem", "points"): QT_TRANSLATE_NOOP("Fields", "Points"),
    ("points_redeem", "text"): QT_TRANSLATE_NOOP("Fields", "Points note"),
    ("consent", "marketing"): QT_TRANSLATE_NOOP("Fields", "Consent"),
    ("case_open", "subject"): QT_TRANSLATE_NOOP("Fields", "Case subject"),
    ("case_open", "text"): QT_TRANSLATE_NOOP("Fields", "Case note"),
    ("case_update", "text"): QT_TRANSLATE_NOOP("Fields", "Case note"),
    ("task", "title"): QT_TRANSLATE_NOOP("Fields", "What to do"),
}


def form_field_name(form: str, field: str) -> str:
    """The name of a form's field as the associate sees it ("" when it has none)."""
    source = FORM_FIELDS.get((form, field))
    return translate("Fields", source) if source else ""


def record_problem(field: str | None, problem: str) -> str:
    """What to fix in a form, from the vocabulary's refusal: the ``field`` of the payload and
    the ``problem`` (``too_long`` …)."""
    # loaded by the refusal
    from clerk.shared.interactions import MAX_LINES, MAX_POINTS, MAX_QTY, MAX_SUBJECT, MAX_TEXT
    from clerk.shared.money import MAX_CENTS

    root = (field or "").split(".", 1)[0]
    if root == "text" and problem == "too_long":
        return fill(
            translate("Customer", "The text is too long — at most %1 characters."),
            fmt_number(MAX_TEXT),
        )
    if root == "text" and problem in ("blank", "empty"):
        return translate("Customer", "Type the note first.")
    if root == "subject" and problem in ("blank", "empty", "missing"):
        return translate("Customer", "Say what the case is about.")
    if root == "subject" and problem == "too_long":
        return fill(
            translate("Customer", "Too long — at most %1 characters."), fmt_number(MAX_SUBJECT)
        )
    if root == "items" and problem == "too_few":
        return translate("Customer", "Add the products sold.")
    if root == "items" and problem == "too_many":
        return fill(
            translate("Customer", "A sale has at most %1 lines — record the rest separately."),
            fmt_number(MAX_LINES),
        )
    if root == "items" and (field or "").endswith(".qty"):
        return fill(translate("Customer", "A quantity is from 1 to %1."), fmt_number(MAX_QTY))
    if root == "amount_cents" and problem == "missing":
        return translate("Customer", "Enter the sale amount.")
    if root == "amount_cents" or root == "items":
        return fill(
            translate("Customer", "Enter an amount from %1 to %2, in whole fen."),
            fmt_money(0),
            fmt_money(MAX_CENTS),
        )
    if problem == "no_change":
        return translate("Customer", "Nothing changed.")
    if root == "points" and problem == "missing":
        return translate("Customer", "Enter the points to redeem.")
    if root == "points" and problem == "points_over_balance":
        return translate("Customer", "More points than the balance here.")
    if root == "points":
        return fill(
            translate("Customer", "Enter whole points from 1 to %1."), fmt_number(MAX_POINTS)
        )
    return reason_message("invalid_record")


# --- the customer's history ----------------------------------------------------------------


OPEN_CASE = {
    "repair": QT_TRANSLATE_NOOP("Panels", "Open repair #%1: %2"),
    "complaint": QT_TRANSLATE_NOOP("Panels", "Open complaint #%1: %2"),
    "other": QT_TRANSLATE_NOOP("Panels", "Open case #%1: %2"),
}


def case_title(case: ServiceCase) -> str:
    """``Open repair #R-1024: screen replacement``."""
    source = OPEN_CASE.get(case.case_type, OPEN_CASE["other"])
    return fill(translate("Panels", source), case.number, case.subject)


def days_open(case: ServiceCase, now: int) -> str:
    """How long it has been open: ``3 days`` (``today`` for less than a day)."""
    days = max(0, now - case.opened_at) // 86_400
    if days == 0:
        return translate("Panels", "today")
    return translate("Panels", "%n day(s)", None, days)


def order_items(order: Order) -> str:
    """An order's lines in one line: "Smartwatch S3 × 2, Strap" (the first three, then "+N")."""
    names = [
        local(line.product.title) + (f" × {line.qty}" if line.qty > 1 else "")
        for line in order.lines[:3]
    ]
    if not names:
        return translate("Panels", "An order")
    text = translate("Panels", ", ").join(names)
    extra = len(order.lines) - 3
    if extra > 0:
        text = fill(translate("Panels", "%1 and %2 more"), text, extra)
    return text


def history_entry(entry: VisitEntry) -> str:
    """One line of the customer's history in the current language, built from the entry's kind
    and facts — product and coupon titles in this language, money for this locale, no code
    and no text but what the associate typed — e.g. ``Assisted sale: 1 item, ¥1,199.00``."""
    kind = term(KINDS, entry.kind)
    detail = history_detail(entry)
    return fill(translate("Panels", "%1: %2"), kind, detail) if detail else kind


def history_detail(entry: VisitEntry) -> str:
    # the vocabulary (pydantic) is loaded by then: a history is shown after a lookup
    from clerk.shared.interactions import (
        CaseOpen,
        Consent,
        Interest,
        PointsRedeem,
        Redeem,
        Sale,
    )

    facts = entry.facts
    parts: list[str] = []
    if isinstance(facts, Interest):
        title = entry.products.get(facts.sku)
        if title is not None:
            parts.append(local(title))
        parts.append(term(INTEREST_ACTIONS, facts.action))
        head = " · ".join(parts)
    elif isinstance(facts, Sale):
        head = fill(
            translate("Panels", "%n item(s), %1", None, facts.count),
            fmt_money(facts.amount_cents),
        )
        titles = [local(t) for t in entry.products.values()]
        if titles:
            head = fill(
                translate("Panels", "%1 (%2)"),
                head,
                "、".join(titles) if is_chinese() else ", ".join(titles),
            )
    elif isinstance(facts, Redeem):
        head = local(entry.coupon) if entry.coupon is not None else ""
    elif isinstance(facts, PointsRedeem):
        head = fill(translate("Panels", "%1 points"), fmt_number(facts.points))
    elif isinstance(facts, Consent):
        flags = [
            fill(translate("Panels", "marketing: %1"), _yes_no(facts.marketing))
            if facts.marketing is not None
            else "",
            fill(translate("Panels", "browsing: %1"), _yes_no(facts.browsing))
            if facts.browsing is not None
            else "",
        ]
        head = " · ".join(f for f in flags if f)
    elif isinstance(facts, CaseOpen):
        head = fill(
            translate("Panels", "%1 — %2"), term(CASE_TYPES, facts.case_type), facts.subject
        )
    else:
        head = ""
    text = entry.text
    if head and text:
        return fill(translate("Panels", "%1 — %2"), head, text)
    return head or text or ""


def points_note(panel: PointsPanel | None) -> str:
    """Under the balance: what is held here and pending at the hub, and a recent tier change —
    e.g. ``points · 1,000 held here · 1 sale pending · now Silver``."""
    parts = [translate("Customer", "points")]
    if panel is None:
        return parts[0]
    if panel.pending_redeemed:
        parts.append(
            fill(translate("Customer", "%1 held here"), fmt_number(panel.pending_redeemed))
        )
    if panel.pending_sales:
        parts.append(translate("Customer", "%n sale(s) pending points", None, panel.pending_sales))
    if panel.tier_change is not None:
        parts.append(fill(translate("Customer", "now %1"), tier(panel.tier_change.tier_to)))
    return " · ".join(parts)


def _yes_no(value: bool | None) -> str:
    return translate("Panels", "yes") if value else translate("Panels", "no")


# --- coupons -------------------------------------------------------------------------------


def offer(rule: str, value: int) -> str:
    """``¥200 off`` / ``减¥200``; ``20% off`` / ``8折``."""
    if rule == "percent_off":
        rate = QLocale().toString((100 - value) / 10, "g", 2)
        return fill(
            translate("Offer", "%1% off", "%2 is the Chinese zhe rate, e.g. 8"), value, rate
        )
    return fill(translate("Offer", "%1 off"), fmt_money(value, short=True))


def coupon_rule_text(coupon: Coupon) -> str:
    """The whole rule in one line: offer, minimum spend, what it applies to."""
    parts = [offer(coupon.rule, coupon.value)]
    if coupon.min_spend_cents > 0:
        parts.append(
            fill(
                translate("Offer", "on orders from %1"),
                fmt_money(coupon.min_spend_cents, short=True),
            )
        )
    if coupon.skus or coupon.categories:
        parts.append(translate("Offer", "selected products only"))
    else:
        parts.append(translate("Offer", "on everything"))
    return " · ".join(parts)


def coupon_validity(coupon: Coupon, now: int) -> str:
    if coupon.status == "used":
        if coupon.pending_redeem:
            return translate("Offer", "Redeemed here · pending sync")
        if coupon.used_at:
            return fill(translate("Offer", "Used %1"), fmt_day(coupon.used_at, now))
        return translate("Offer", "Used")
    if coupon.status == "not_yet_valid":
        return fill(translate("Offer", "Valid from %1"), fmt_day(coupon.valid_from, now))
    if coupon.status == "expired":
        return fill(translate("Offer", "Expired %1"), fmt_day(coupon.expires_at, now))
    return fill(translate("Offer", "Expires %1"), fmt_day(coupon.expires_at, now))


# --- talking points ------------------------------------------------------------------------

# The kinds of talking points (and recommendations) a visit records as shown: "did it work?"
SHOWN_KINDS = {
    "cart_coupon": QT_TRANSLATE_NOOP("Terms", "Cart + coupon"),
    "coupon_expiring": QT_TRANSLATE_NOOP("Terms", "Coupon expiring"),
    "viewed_often": QT_TRANSLATE_NOOP("Terms", "Viewed often"),
    "cart_abandoned": QT_TRANSLATE_NOOP("Terms", "Left in cart"),
    "birthday_month": QT_TRANSLATE_NOOP("Terms", "Birthday"),
    "tier_upgrade": QT_TRANSLATE_NOOP("Terms", "Near the next tier"),
    "offer:bought_with": QT_TRANSLATE_NOOP("Terms", "Offer: bought with"),
    "offer:viewed_with": QT_TRANSLATE_NOOP("Terms", "Offer: viewed with"),
}
RULE_ICONS = {
    "offer": "sale",
    "cart_coupon": "redeem",
    "coupon_expiring": "clock",
    "viewed_often": "eye",
    "cart_abandoned": "cart",
    "birthday_month": "gift",
    "tier_upgrade": "trending",
    "order_followup": "sale",
    "order_returned": "warning",
}


def _title(facts: Mapping[str, Any], prefix: str = "") -> str:
    zh = str(facts.get(f"{prefix}title_zh") or "")
    en = str(facts.get(f"{prefix}title_en") or "")
    return (zh or en) if is_chinese() else (en or zh)


def _int(facts: Mapping[str, Any], key: str, default: int = 0) -> int:
    try:
        return int(facts.get(key, default))
    except (TypeError, ValueError):
        return default


def talking_point(point: TalkingPoint, now: int) -> str:
    """One plain sentence for a talking point, e.g. ``In online cart 3 days: Smartwatch S3
    ¥1,999.00 — coupon ¥200 off expires Fri``."""
    f = point.facts
    rule = point.rule
    try:
        if rule == "cart_coupon":
            days = _int(f, "days_in_cart")
            head = (
                translate("TalkingPoints", "In online cart %n day(s)", None, days)
                if days
                else translate("TalkingPoints", "Added to online cart today")
            )
            return fill(
                translate("TalkingPoints", "%1: %2 %3 — coupon %4 expires %5"),
                head,
                _title(f),
                fmt_money(_int(f, "price_cents"), short=True),
                offer(str(f.get("rule", "amount_off")), _int(f, "value")),
                fmt_day(_int(f, "expires_at"), now),
            )
        if rule == "cart_abandoned":
            days = _int(f, "days_in_cart")
            return fill(
                translate("TalkingPoints", "Left in online cart for %n day(s): %1 %2", None, days),
                _title(f),
                fmt_money(_int(f, "price_cents"), short=True),
            )
        if rule == "coupon_expiring":
            return fill(
                translate("TalkingPoints", "Coupon “%1” (%2) expires %3 — remind the customer"),
                _title(f, "coupon_"),
                offer(str(f.get("rule", "amount_off")), _int(f, "value")),
                fmt_day(_int(f, "expires_at"), now),
            )
        if rule == "viewed_often":
            return fill(
                translate(
                    "TalkingPoints",
                    "Viewed %1 %n time(s) online this week (%2)",
                    None,
                    _int(f, "views_7d", _int(f, "views")),
                ),
                _title(f),
                fmt_money(_int(f, "price_cents"), short=True),
            )
        if rule == "tier_upgrade":
            return fill(
                translate("TalkingPoints", "%1 points from %2 — a purchase today would upgrade"),
                fmt_number(_int(f, "points_needed")),
                tier(str(f.get("next_tier", ""))),
            )
        if rule == "offer":
            source = term(OFFER_SOURCES, str(f.get("because_source", "")))
            text = (
                translate("TalkingPoints", "Offer %1 %2 — often viewed with %3 (%4)")
                if f.get("reason") == "viewed_with"
                else translate("TalkingPoints", "Offer %1 %2 — often bought with %3 (%4)")
            )
            return fill(
                text,
                _title(f),
                fmt_money(_int(f, "price_cents"), short=True),
                _title(f, "because_"),
                source,
            )
        if rule == "birthday_month":
            if _int(f, "days_until", -1) == 0:
                return translate(
                    "TalkingPoints", "Birthday today — wish the customer a happy birthday"
                )
            day = QDate(2000, _int(f, "month", 1), _int(f, "day", 1))
            text = QLocale().toString(day, "M月d日" if is_chinese() else "d MMM")
            return fill(translate("TalkingPoints", "Birthday this month (%1)"), text)
        if rule in ("order_followup", "order_returned"):
            return _order_point(point)
    except (KeyError, ValueError, TypeError):
        pass
    return fill(translate("TalkingPoints", "Worth mentioning: %1"), rule.replace("_", " "))


def days_ago(days: int) -> str:
    """``yesterday`` / ``3 days ago`` / ``last week`` / ``3 weeks ago`` / ``last month``."""
    if days <= 1:
        return translate("TalkingPoints", "yesterday")
    if days < 7:
        return translate("TalkingPoints", "%n day(s) ago", None, days)
    if days < 14:
        return translate("TalkingPoints", "last week")
    if days < 28:
        return translate("TalkingPoints", "%n week(s) ago", None, days // 7)
    return translate("TalkingPoints", "last month")


def _order_point(point: TalkingPoint) -> str:
    f = point.facts
    ago = days_ago(_int(f, "days_ago"))
    if point.rule == "order_returned":
        return fill(
            translate("TalkingPoints", "Returned %1 %2 — ask what went wrong"), _title(f), ago
        )
    if f.get("ask") == "fit":
        return fill(translate("TalkingPoints", "Bought %1 %2 — ask how it fits"), _title(f), ago)
    return fill(
        translate("TalkingPoints", "Bought %1 %2 — ask how they get on with it"), _title(f), ago
    )


def talking_point_why(point: TalkingPoint) -> str:
    """A short second line: the evidence behind the point."""
    f = point.facts
    if point.rule == "cart_coupon":
        saving = _int(f, "saving_cents")
        views = _int(f, "views_7d")
        parts = []
        if saving:
            parts.append(
                fill(translate("TalkingPoints", "saves %1"), fmt_money(saving, short=True))
            )
        if views:
            parts.append(translate("TalkingPoints", "viewed %n time(s) this week", None, views))
        return " · ".join(parts)
    if point.rule == "viewed_often":
        return channels(list(f.get("channels") or []))
    if point.rule in ("order_followup", "order_returned"):
        return term(ORDER_CHANNELS, str(f.get("channel", "")))
    return ""
