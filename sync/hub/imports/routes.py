"""``POST /v1/admin/import/{kind}``: the import as an HTTP bulk route for HQ (an HQ admin
token), the body streamed — CSV (``text/csv``) or NDJSON (``application/x-ndjson``) — and
read as it arrives, in constant memory: the hub's body limit does not apply to this path
(:data:`PREFIX`).

The answer (200) counts what happened (rows, inserted, updated, unchanged, refused) and lists
the refused rows with their number and reason (the first :data:`MAX_LISTED`). A request is
idempotent by the source's ids: sent again after a failure, the rows already in are unchanged
no-ops (an HTTP import keeps no checkpoint; ``clerk hub import`` does for files). A file whose
header lacks a required column, or that is not UTF-8, is refused whole (422 problem JSON).
"""

import io
from collections.abc import Callable, Iterator
from typing import Annotated

import anyio.from_thread
from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from sync.hub.errors import InvalidInputError, problem_doc
from sync.hub.imports.kinds import KINDS
from sync.hub.imports.reader import ChunkStream, Format
from sync.hub.imports.run import BATCH_SIZE, Importer, Refusal
from sync.hub.store import HubStore
from sync.protocol import API_PREFIX

PREFIX = f"{API_PREFIX}/admin/import/"
MAX_LISTED = 1000
_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


class RefusedRow(BaseModel):
    row: int
    reason: str


class ImportResult(BaseModel):
    kind: str
    source: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    refused: int
    refused_rows: list[RefusedRow]


def _format(content_type: str | None, given: str | None) -> Format:
    if given is not None:
        if given not in ("csv", "jsonl"):
            raise InvalidInputError("format is csv or jsonl", reason="invalid")
        return "jsonl" if given == "jsonl" else "csv"
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in _JSONL_TYPES:
        return "jsonl"
    if media in ("text/csv", "application/csv"):
        return "csv"
    raise InvalidInputError(
        "send text/csv or application/x-ndjson (or say ?format=csv|jsonl)", reason="invalid"
    )


def add_import_routes(
    app: FastAPI,
    store: HubStore,
    admin: Callable[..., str],
    *,
    clock: Callable[[], float],
    errors: dict[int | str, dict[str, object]],
) -> None:
    """Add the import route to ``app``; ``admin`` is the HQ admin token dependency."""
    admin_dep = Annotated[str, Depends(admin)]

    @app.post(
        PREFIX + "{kind}",
        response_model=ImportResult,
        tags=["admin"],
        summary="Import members, products, coupons or staff (streamed CSV or NDJSON body)",
        responses={422: problem_doc("Unknown kind, or a file refused whole"), **errors},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def import_rows(
        name: admin_dep,
        request: Request,
        kind: Annotated[str, Path(max_length=32)],
        source: Annotated[str, Query(max_length=64)] = "default",
        fmt: Annotated[str | None, Query(alias="format", max_length=8)] = None,
    ) -> ImportResult:
        if kind not in KINDS:
            raise InvalidInputError(
                f"unknown import kind {kind!r}: {', '.join(KINDS)}", reason="unknown_kind"
            )
        form = _format(request.headers.get("content-type"), fmt)
        body = request.stream().__aiter__()
        listed: list[RefusedRow] = []

        async def next_chunk() -> bytes | None:
            try:
                return await body.__anext__()
            except StopAsyncIteration:
                return None

        def chunks() -> Iterator[bytes]:
            while (chunk := anyio.from_thread.run(next_chunk)) is not None:
                if chunk:
                    yield chunk

        def refused(r: Refusal) -> None:
            if len(listed) < MAX_LISTED:
                listed.append(RefusedRow(row=r.row, reason=r.reason))

        def run() -> ImportResult:
            importer = Importer(
                store, kind, source, batch_size=BATCH_SIZE, on_refused=refused, clock=clock
            )
            out = importer.run(io.BufferedReader(ChunkStream(chunks())), form)
            return ImportResult(
                kind=out.kind,
                source=out.source,
                rows=out.rows,
                inserted=out.inserted,
                updated=out.updated,
                unchanged=out.unchanged,
                refused=out.refused,
                refused_rows=listed,
            )

        return await run_in_threadpool(run)
