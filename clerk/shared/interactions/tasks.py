"""Follow-up tasks and the client book (sync/hub/tasks.py applies them): a task, its changes,
the member's associate, outreach made."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, Strict, StrictBool, StringConstraints, field_validator, model_validator
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from clerk.shared.interactions.base import CONFIG, Id, Remark, build

Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Time = Annotated[int, Strict(), Field(ge=0, le=2**40)]
# What came of a follow-up: the associate called, messaged, the customer came in, no answer.
Outcome = Literal["called", "messaged", "came_in", "no_answer"]
OUTCOMES: tuple[str, ...] = ("called", "messaged", "came_in", "no_answer")
TaskAction = Literal["done", "snooze", "reassign"]


@dataclass(frozen=True, config=CONFIG)
class Task:
    """A follow-up task created at the terminal ("call when size 38 arrives"), due at
    ``due_at`` (unix s), for ``assignee`` (a staff id; None: the store). Its id is the id of
    this record. An ``outreach`` task contacts the customer: the hub refuses one for a member
    without marketing consent (``no_marketing_consent``)."""

    kind: ClassVar[str] = "task"
    private: ClassVar[frozenset[str]] = frozenset()

    title: Title
    due_at: Time
    assignee: Id | None = None
    outreach: StrictBool = True

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank", "a task needs a title")
        return value

    @classmethod
    def of(
        cls, title: str, due_at: int, assignee: str | None = None, outreach: bool = True
    ) -> Task:
        return build(cls, title=title, due_at=due_at, assignee=assignee, outreach=outreach)


@dataclass(frozen=True, config=CONFIG)
class TaskUpdate:
    """A change to a task: ``done`` (with its outcome), ``snooze`` (to ``due_at``, an outcome
    such as no answer optional) or ``reassign`` (to ``assignee``; None: the store). Two
    terminals' changes apply in the hub's order; a change to a task already done is accepted
    with no effect (``task_closed``)."""

    kind: ClassVar[str] = "task_update"
    private: ClassVar[frozenset[str]] = frozenset()

    task_id: Id
    action: TaskAction
    outcome: Outcome | None = None
    due_at: Time | None = None
    assignee: Id | None = None
    text: Remark | None = None

    @model_validator(mode="after")
    def _complete(self) -> TaskUpdate:
        if self.action == "done" and self.outcome is None:
            raise PydanticCustomError(
                "needs_outcome", "a task is done with an outcome", {"field": "outcome"}
            )
        if self.action == "snooze" and self.due_at is None:
            raise PydanticCustomError(
                "needs_due", "a task is snoozed to a due time", {"field": "due_at"}
            )
        return self

    @classmethod
    def of(
        cls,
        task_id: str,
        action: str,
        *,
        outcome: str | None = None,
        due_at: int | None = None,
        assignee: str | None = None,
        text: str | None = None,
    ) -> TaskUpdate:
        return build(
            cls,
            task_id=task_id,
            action=action,
            outcome=outcome,
            due_at=due_at,
            assignee=assignee,
            text=text,
        )


@dataclass(frozen=True, config=CONFIG)
class Assign:
    """A manager assigns the member to an associate of the store (``staff_id``), or takes
    the assignment back (None)."""

    kind: ClassVar[str] = "assign"
    private: ClassVar[frozenset[str]] = frozenset()

    staff_id: Id | None = None

    @classmethod
    def of(cls, staff_id: str | None) -> Assign:
        return build(cls, staff_id=staff_id)


@dataclass(frozen=True, config=CONFIG)
class Contacted:
    """The associate reached out to the member (a message drafted from a template, copied or
    shared): only with their marketing consent (else ``no_marketing_consent``, as an outreach
    task). The follow-up task it names (``task_id``) is done with the outcome ``messaged``;
    already done, the record is accepted with no effect (``task_closed``)."""

    kind: ClassVar[str] = "contacted"
    private: ClassVar[frozenset[str]] = frozenset()

    task_id: Id | None = None
    template: Id | None = None  # the template's name the message was drafted from

    @classmethod
    def of(cls, task_id: str | None = None, template: str | None = None) -> Contacted:
        return build(cls, task_id=task_id, template=template)
