"""The associate's own customers: the client book, follow-up tasks, outreach."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clerk.errors import PermissionDeniedError
from clerk.outbox import Recorded
from clerk.terminal.records import Records
from clerk.terminal.storage import reads_cache

if TYPE_CHECKING:
    from clerk.model import Client, TaskRow
    from clerk.outreach import Prepared


class Clients(Records):
    """A client book and its tasks, read from the cache alone (offline too)."""

    @reads_cache
    def client_book(self, staff_id: str, signed_in: str | None) -> list[Client]:
        """The client book of associate ``staff_id`` (:func:`clerk.clientbook.my_customers`),
        as ``signed_in`` may see it: their own, or any associate's for a manager
        (PermissionDeniedError otherwise). Read from the cache alone: offline too."""
        from clerk import clientbook

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        if staff_id != signed_in and not self._is_manager(cache, signed_in):
            raise PermissionDeniedError("only a manager sees another associate's clients")
        return clientbook.my_customers(cache, outbox, staff_id, now=int(self.clock()))

    @reads_cache
    def follow_ups(self, signed_in: str | None) -> list[TaskRow]:
        """The open follow-up tasks ``signed_in`` works on — theirs and the store's; a
        manager's: every one — by due time (the overdue first), this terminal's changes not
        yet synced laid over the cache's (``pending``). Offline too."""
        from clerk import tasks

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        manager = self._is_manager(cache, signed_in)
        return tasks.load(
            cache, outbox, now=int(self.clock()), staff_id=None if manager else signed_in
        )

    def change_task(
        self,
        task_id: str,
        action: str,
        signed_in: str | None,
        *,
        outcome: str | None = None,
        due_at: int | None = None,
        assignee: str | None = None,
    ) -> Recorded:
        """Record a change to an open task (done / snooze / reassign, :func:`clerk.tasks.change`:
        TaskError, PermissionDeniedError for an associate handing it to another associate)."""
        from clerk import tasks

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        member_id, payload = tasks.change(
            cache,
            outbox,
            task_id,
            action,
            outcome=outcome,
            due_at=due_at,
            assignee=assignee,
            by_manager=self._is_manager(cache, signed_in),
        )
        return self.record("task_update", member_id=member_id, staff_id=signed_in, payload=payload)

    def record_contacted(
        self,
        member_id: str,
        signed_in: str | None,
        *,
        task_id: str | None = None,
        template: str | None = None,
    ) -> Recorded:
        """Record outreach made to the member (``contacted``, :func:`clerk.tasks.contacted`:
        TaskError without marketing consent); the task it names is done, messaged; the
        template the message was drafted from, if any, goes with it."""
        from clerk import tasks

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        payload = tasks.contacted(cache, outbox, member_id, task_id=task_id, template=template)
        return self.record("contacted", member_id=member_id, staff_id=signed_in, payload=payload)

    @reads_cache
    def outreach(
        self, member_id: str, signed_in: str | None, *, task_id: str | None = None
    ) -> Prepared:
        """What the screen drafts a message to the member from (:mod:`clerk.outreach`): the
        member's name and consent, the cached templates and the facts of the task named —
        or, with none named, of the member's first open task (none: reason ``any``)."""
        from clerk import outreach, tasks

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        row = cache.execute(
            "SELECT name, consent_marketing FROM members WHERE id = ?", (member_id,)
        ).fetchone()
        if row is None:
            raise tasks.TaskError(
                f"no member {member_id} on this terminal", reason="unknown_member"
            )
        now = int(self.clock())
        mine = sorted(
            (t for t in tasks.all_tasks(cache, outbox).values() if t.member_id == member_id),
            key=lambda t: (t.state != "open", t.due_at, t.id),
        )
        task = next((t for t in mine if t.id == task_id), None)
        if task is None and task_id is None:
            task = next((t for t in mine if t.state == "open"), None)
        if task is None:
            facts = outreach.Facts(outreach.ANY)
        else:
            coupon = task.facts.get("coupon_id")
            title = cache.execute(
                "SELECT title_zh, title_en FROM coupons WHERE id = ?", (str(coupon),)
            ).fetchone()
            facts = outreach.task_facts(
                task, now, coupon_title=None if title is None else {"zh": title[0], "en": title[1]}
            )
        return outreach.Prepared(
            member_id,
            str(row[0] or ""),
            bool(row[1]),
            tuple(outreach.templates(cache)),
            facts,
            None if task is None else task.id,
        )
