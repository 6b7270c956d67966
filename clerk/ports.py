"""What the UI may ask of the terminal (:class:`TerminalPort`) and the values it gets back.

``ui/`` holds a ``TerminalPort``, never a :class:`clerk.terminal.Terminal`: the protocol lists
exactly the attributes and methods the screens use, so mypy checks every call the UI makes
against them, and a stand-in (``bench/ui_paint.py``'s read-only terminal, a test double) is
held to the same list (``tests/ui/test_ports.py`` compares the signatures). Every write the
UI causes goes through the terminal's one outbox.db writer behind these methods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from clerk.dashboard import DashboardSource
    from clerk.model import (
        Client,
        CustomerView,
        Identity,
        PhoneCandidate,
        Product,
        Provisional,
        SignupText,
        TaskRow,
    )
    from clerk.outbox import Recorded, Settled
    from clerk.outreach import Prepared
    from clerk.search_terms import Found
    from clerk.settings import Settings
    from clerk.shared.interactions import Payload
    from clerk.staff import Session, StaffMember


@dataclass(frozen=True)
class Opened:
    """A scan's outcome: who it was, the 360 view when the member is known here."""

    identity: Identity
    member_id: str | None
    view: CustomerView | None
    visit: Recorded | None  # the visit recorded by this scan (None: same visit as before)
    cached: bool  # found in the cache without asking the hub
    # "not_cached" (offline, unknown here), "unknown_member" (hub says no), "choose" (a typed
    # phone fits several cached members: the associate picks one of ``candidates``)
    reason: str | None
    candidates: tuple[PhoneCandidate, ...] = ()


@dataclass(frozen=True)
class TerminalStatus:
    pending: int
    rejected: int
    conflict: int
    oldest_pending_at: int | None
    last_pull_at: int | None
    last_push_at: int | None
    online: bool
    last_error: str | None
    store_id: str | None
    store_name: str | None
    device_id: str | None
    cursor: int | None
    cache_stale: bool
    clock_offset_s: float | None
    clock_suspect: bool
    cache_rebuilt: bool
    clone_suspected: bool = False  # "this terminal looks like a copy — re-enrol it"
    device_revoked: bool = False  # "this terminal was removed from the store — ask IT"
    attention: int = 0  # parked records: the hub failed on them, a person must look


class StaffDoor(Protocol):
    """Staff sign-in: the people who may sign in here, a PIN checked, a session ended.

    :class:`clerk.staff.StaffAuth` is one (on connections of its own); the terminal is
    another (its sign-in rows go through its one outbox writer).
    """

    def roster(self) -> list[StaffMember]: ...

    def sign_in(self, staff_id: str, pin: str) -> Session: ...

    def sign_out(self, session: Session, reason: str = "manual") -> None: ...


class TerminalPort(StaffDoor, Protocol):
    """The terminal as the UI sees it (implemented by :class:`clerk.terminal.Terminal`)."""

    clock: Callable[[], float]

    @property
    def home(self) -> Path: ...

    @property
    def settings(self) -> Settings: ...

    # -- a customer ---------------------------------------------------------------------------

    def identify(self, text: str) -> Identity: ...

    def open_customer(self, identity: Identity, staff_id: str | None = None) -> Opened: ...

    def pick_candidate(
        self, opened: Opened, member_id: str, staff_id: str | None = None
    ) -> Opened: ...

    def view(self, member_id: str) -> CustomerView | None: ...

    def search(self, text: str, staff_id: str | None) -> list[Found]: ...

    def open_found(
        self, member_id: str, staff_id: str | None = None, via: str = "search"
    ) -> Opened: ...

    def client_book(self, staff_id: str, signed_in: str | None) -> list[Client]: ...

    def follow_ups(self, signed_in: str | None) -> list[TaskRow]: ...

    def record_contacted(
        self,
        member_id: str,
        signed_in: str | None,
        *,
        task_id: str | None = None,
        template: str | None = None,
    ) -> Recorded: ...

    def outreach(
        self, member_id: str, signed_in: str | None, *, task_id: str | None = None
    ) -> Prepared: ...

    def change_task(
        self,
        task_id: str,
        action: str,
        signed_in: str | None,
        *,
        outcome: str | None = None,
        due_at: int | None = None,
        assignee: str | None = None,
    ) -> Recorded: ...

    def record(
        self,
        kind: str,
        *,
        member_id: str | None,
        member_ref: str | None = None,
        staff_id: str | None = None,
        payload: Payload | Mapping[str, Any] | None = None,
    ) -> Recorded: ...

    def record_walk_in(self, staff_id: str | None = None) -> Recorded: ...

    def fix_record(
        self,
        iid: str,
        payload: Payload | Mapping[str, Any],
        *,
        staff_id: str | None,
        session: Session | None = None,
    ) -> Recorded: ...

    def withdraw_record(
        self,
        iid: str,
        *,
        staff_id: str | None,
        session: Session | None = None,
        reason: str | None = None,
    ) -> Settled: ...

    def left_for_a_person(self, iid: str) -> Settled | None: ...

    def dismiss_record(self, iid: str, *, session: Session | None, reason: str) -> Settled: ...

    def signup_text(self, lang: str) -> SignupText | None: ...

    def sign_up(
        self,
        *,
        phone: str,
        name: str,
        consent: SignupText,
        marketing: bool,
        browsing: bool,
        birthday: str | None = None,
        staff_id: str | None = None,
    ) -> Provisional: ...

    def open_signed_up(self, provisional_id: str, staff_id: str | None = None) -> Opened: ...

    def resolve(self, identity: Identity) -> str | None: ...

    def link(
        self,
        member_id: str,
        *,
        identity: str,
        value: str,
        proof: str,
        staff_id: str | None = None,
    ) -> Recorded: ...

    def save_draft(
        self, staff_id: str | None, member_key: str, form: str, values: Mapping[str, Any]
    ) -> None: ...

    def drafts(self, staff_id: str | None, member_key: str) -> dict[str, dict[str, Any]]: ...

    def discard_draft(self, staff_id: str | None, member_key: str, form: str) -> None: ...

    def record_unmatched_visit(
        self, identity: Identity, staff_id: str | None = None
    ) -> Recorded | None: ...

    def recent_customers(self, limit: int = 10) -> list[tuple[str, str, int]]: ...

    def products(self, query: str, limit: int = 20) -> list[Product]: ...

    def catalogue(self, limit: int = 5000) -> list[Product]: ...

    def product_by_barcode(self, code: str) -> Product | None: ...

    # -- the terminal ---------------------------------------------------------------------------

    def status(self) -> TerminalStatus: ...

    def device_id(self) -> str | None: ...

    def staff_name(self, staff_id: str) -> str | None: ...

    def change_settings(
        self, session: Session | None, changes: Mapping[str, str]
    ) -> dict[str, Any]: ...

    def dashboard(self, tz: tzinfo) -> DashboardSource: ...
