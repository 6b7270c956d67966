"""The Segment HTTP Tracking API under ``/segment``: ``/segment/v1/batch``, ``track``,
``identify``, ``alias``, ``page``, ``screen``, ``group``.

A stock Segment-compatible library takes ``http://<hub>/segment`` as its host (its
``dataPlaneUrl``) and appends ``/v1/batch``; the terminals' API under ``/v1`` stays apart.

* Auth: HTTP Basic with the source's write key as the user name (the libraries' way), or the
  body's ``writeKey``. Without one: 401 ``no_key``; unknown or revoked: 401 ``bad_key``.
* Bodies may be gzip (``Content-Encoding: gzip``, as rudder-sdk-python sends by default).
  Over 500 KB once inflated: 413; not JSON, not an object, no ``batch`` list: 400.
* A batch answers 200 ``{"success": true, "accepted", "duplicates", "rejected": […]}`` when it
  was taken, whatever became of each call: a bad call is counted and named with its index and
  reason, it never sinks the batch (Segment answers 200 and drops it; we say which). A single
  call (``/v1/track`` …) that is refused answers 400 with its reason.
* Errors are RFC 9457 problem JSON, with the ``code`` and ``message`` members the Segment
  libraries read from an error body as well.

A POST to one of these paths is answered by :func:`add_segment_routes`' fast path before
FastAPI's routing (the hub's guard hands it the body): the same checks, the same answers, byte
for byte; the routes stay for the OpenAPI document and whatever the fast path declines.
"""

from __future__ import annotations

import base64
import binascii
import gc
import json
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from sync.hub.errors import PROBLEM_TYPE, BusyError, HubServiceError, problem_doc
from sync.hub.segment.calls import CALL_TYPES, MAX_CALL_BYTES
from sync.hub.segment.intake import Intake, TakeResult, source_or_error
from sync.hub.store import HubStore

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
# (scope, body, send) -> answered? (as sync.hub.app.FastPath)
FastPath = Callable[[Scope, bytes, Callable[[Message], Awaitable[None]]], Awaitable[bool]]

PREFIX = "/segment/v1"
MAX_BATCH_BYTES = 500 * 1024  # inflated; Segment's limit for a batch
MAX_BATCH_CALLS = 2500
MAX_PENDING = 64
MAX_DEPTH = 32


class SegmentCall(BaseModel):
    """One call of the Segment Spec (its common fields; others are kept as sent)."""

    model_config = ConfigDict(extra="allow")
    type: str | None = None
    messageId: str | None = None
    userId: str | None = None
    anonymousId: str | None = None
    previousId: str | None = None
    event: str | None = None
    properties: dict[str, Any] | None = None
    traits: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    timestamp: str | None = None
    originalTimestamp: str | None = None
    sentAt: str | None = None


class SegmentBatch(BaseModel):
    """POST /segment/v1/batch."""

    model_config = ConfigDict(extra="allow")
    batch: list[SegmentCall]
    writeKey: str | None = None
    sentAt: str | None = None
    context: dict[str, Any] | None = None


class RejectedCall(BaseModel):
    index: int
    messageId: str | None = None
    reason: str


class IntakeResponse(BaseModel):
    """What became of a batch (or a single call)."""

    success: bool
    accepted: int
    duplicates: int
    rejected: list[RejectedCall]


class _BadBody(HubServiceError):
    status = 400
    reason = "malformed"
    title = "Bad request"


class _TooLarge(HubServiceError):
    status = 413
    reason = "too_large"
    title = "Content too large"


def problem(exc: HubServiceError) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": exc.title,
        "status": exc.status,
        "detail": str(exc)[:500],
        "reason": exc.reason,
        "code": exc.reason,
        "message": str(exc)[:500],
    }
    headers: dict[str, str] = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="segment"'
    if exc.status in (429, 503):
        headers["Retry-After"] = str(exc.retry_after or 1)
    return JSONResponse(body, status_code=exc.status, headers=headers, media_type=PROBLEM_TYPE)


ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc(
        "Not JSON, not an object, no batch list (reason: malformed), or a "
        "single call refused (its reason)"
    ),
    401: problem_doc("No write key (no_key), unknown or revoked (bad_key)"),
    413: problem_doc("Over 500 KB once inflated"),
    503: problem_doc("Busy (Retry-After)"),
}


JSON_TYPE = "application/json"
JSON_TYPE_BYTES = JSON_TYPE.encode("latin-1")


def answer_bytes(result: TakeResult) -> bytes:
    """A batch's answer, the JSON text JSONResponse sends for ``result.wire()``: written out
    directly when no call was refused (every batch of a well-behaved sender)."""
    if not result.rejected:
        return b'{"success":true,"accepted":%d,"duplicates":%d,"rejected":[]}' % (
            result.accepted,
            result.duplicates,
        )
    return json.dumps(
        result.wire(), ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def inflate(body: bytes, encoding: str) -> bytes:
    """The body as sent (gzip or deflate inflated), at most MAX_BATCH_BYTES."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        if len(body) > MAX_BATCH_BYTES:
            raise _TooLarge(f"bodies are limited to {MAX_BATCH_BYTES} bytes")
        return body
    if encoding not in ("gzip", "deflate"):
        raise _BadBody(f"unsupported Content-Encoding {encoding!r}", reason="bad_encoding")
    inflater = zlib.decompressobj(wbits=31 if encoding == "gzip" else 15)
    try:
        out = inflater.decompress(body, MAX_BATCH_BYTES + 1)
    except zlib.error as exc:
        raise _BadBody(f"the body does not inflate: {exc}", reason="bad_encoding") from exc
    if len(out) > MAX_BATCH_BYTES:
        raise _TooLarge(f"bodies are limited to {MAX_BATCH_BYTES} bytes once inflated")
    return out


def _deeper_than(doc: Any, limit: int) -> bool:
    """True if ``doc`` nests lists/objects more than ``limit`` levels (walked iteratively)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        children: Any
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


# Every byte but the brackets and the quotes.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')


def _text_deeper_than(body: bytes, limit: int) -> bool | None:
    """Whether ``body``, UTF-8 JSON text json.loads took, nests more than ``limit`` levels,
    from its bytes: escapes and strings cut out, then every innermost ``{}`` / ``[]`` removed
    once per level — C-speed passes over the text, where walking the parsed values costs a
    Python step per value. None: not worked out (not UTF-8): walk the values instead."""
    if json.detect_encoding(body) != "utf-8":
        return None
    if b"\\" in body:  # backslash pairs, then escaped quotes (what remains is one per escape)
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = body.translate(None, _NOT_STRUCTURE)
    # A string without brackets is an adjacent pair of quotes here: with every such pair gone
    # and no quote left, no string held a bracket (the first string that did would leave its
    # opening quote alone) — the common case, without cutting the text into a piece a string.
    brackets = structure.replace(b'""', b"")
    if b'"' in brackets:
        brackets = b"".join(structure.split(b'"')[::2])
    levels = 0
    while brackets:
        if levels >= limit:
            return True
        inner = brackets.replace(b"{}", b"0").replace(b"[]", b"0").replace(b"0", b"")
        if len(inner) == len(brackets):
            return None  # unbalanced: not text json.loads took
        brackets, levels = inner, levels + 1
    return False


def parse_body(body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except RecursionError as exc:
        raise _BadBody("JSON nested too deep", reason="malformed") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadBody(f"body is not JSON: {exc}", reason="malformed") from exc
    if not isinstance(doc, dict):
        raise _BadBody("the body is not a JSON object", reason="malformed")
    deep = _text_deeper_than(body, MAX_DEPTH)
    if deep is None:
        deep = _deeper_than(doc, MAX_DEPTH)
    if deep:
        raise _BadBody(f"JSON nested more than {MAX_DEPTH} levels deep", reason="malformed")
    return doc


def basic_user(header: str | None) -> str | None:
    """The user name of an HTTP Basic Authorization header (the write key), or None."""
    if not header:
        return None
    scheme, _, param = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(param.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded.partition(":")[0] or None


GC_YOUNG_THRESHOLD = 10_000  # net allocations between two collections of the youngest objects
_gc_settled = False


def settle_gc() -> None:
    """Once per process, at its first Segment batch: the objects alive then (the app, its
    modules and imports, ~70,000 the collector tracks) go to the collector's permanent
    generation (``gc.freeze``), and the youngest generation is collected every
    :data:`GC_YOUNG_THRESHOLD` net allocations instead of 700. A batch parses into ~500 dicts
    and lists that live until it is answered, so under load they were promoted, and every few
    seconds a full collection walked every object of the process: ~50 ms each, 5-7 % of the
    hub's CPU (bench/event_ingest.py, docs/benchmarks.md). Cycles made later are collected
    as before. A process-wide setting, made here because the Segment intake is what pays for
    it; the hub's start is where it belongs (docs/decisions.md)."""
    global _gc_settled
    _gc_settled = True
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), middle, old)


def add_segment_routes(
    app: FastAPI, store: HubStore, *, clock: Callable[[], float] = time.time
) -> FastPath:
    """Mount the Segment routes on ``app``; returns their fast path (for the hub's guard)."""
    intake = Intake(store)
    pending = {"n": 0}
    lock = threading.Lock()

    def take(body: bytes, encoding: str, auth: str | None, forced: str | None) -> bytes:
        header_key = basic_user(auth)
        raw = inflate(body, encoding)
        doc = parse_body(raw)
        # No call of a body smaller than one call may be, without escapes, can be too large or
        # hold text no database keeps: the per-call checks are skipped for it.
        check_text = len(raw) > MAX_CALL_BYTES or b"\\u" in raw
        key = header_key or (doc.get("writeKey") if isinstance(doc.get("writeKey"), str) else None)
        source = source_or_error(intake, key)
        received_ms = int(clock() * 1000)
        if forced is None:
            calls = doc.get("batch")
            if not isinstance(calls, list):
                raise _BadBody("expected {'batch': [calls]}", reason="malformed")
            if len(calls) > MAX_BATCH_CALLS:
                raise _TooLarge(f"at most {MAX_BATCH_CALLS} calls in a batch")
            result = intake.take(
                source,
                calls,
                received_ms=received_ms,
                batch_sent_at=doc.get("sentAt"),
                check_text=check_text,
            )
        else:
            call = {k: v for k, v in doc.items() if k != "writeKey"}
            result = intake.take(
                source, [call], received_ms=received_ms, forced_type=forced, check_text=check_text
            )
            if result.rejected:
                raise _BadBody(
                    f"the call is refused: {result.rejected[0].reason}",
                    reason=result.rejected[0].reason,
                )
        return answer_bytes(result)

    async def answer(
        body: bytes, encoding: str, auth: str | None, forced: str | None
    ) -> Response | bytes:
        """The answer's JSON (200), or the problem to answer."""
        with lock:
            if pending["n"] >= MAX_PENDING:
                return problem(BusyError("too many batches queued; retry shortly"))
            pending["n"] += 1
        try:
            return await run_in_threadpool(take, body, encoding, auth, forced)
        except HubServiceError as exc:
            return problem(exc)
        finally:
            with lock:
                pending["n"] -= 1

    async def handle(request: Request, forced: str | None) -> Response:
        body = await request.body()
        out = await answer(
            body,
            request.headers.get("content-encoding", ""),
            request.headers.get("authorization"),
            forced,
        )
        return out if isinstance(out, Response) else Response(out, media_type=JSON_TYPE)

    paths = {f"{PREFIX}/batch": None, **{f"{PREFIX}/{kind}": kind for kind in CALL_TYPES}}

    async def fast(scope: Scope, body: bytes, send: Callable[[Message], Awaitable[None]]) -> bool:
        """A POST to a Segment path, answered without FastAPI's routing (``handle``'s answer,
        the headers read as Starlette reads them: the first of each name)."""
        path = scope.get("path")
        if path not in paths or scope.get("method") != "POST":
            return False
        if not _gc_settled:
            settle_gc()
        encoding: str | None = None
        auth: str | None = None
        for name, value in scope.get("headers", ()):
            if name == b"content-encoding" and encoding is None:
                encoding = value.decode("latin-1")
            elif name == b"authorization" and auth is None:
                auth = value.decode("latin-1")
        out = await answer(body, encoding or "", auth, paths[path])
        if isinstance(out, Response):
            await out(scope, _no_body, send)
            return True
        # What Response(out, media_type=JSON_TYPE) sends, without building one.
        headers = [(b"content-length", b"%d" % len(out)), (b"content-type", JSON_TYPE_BYTES)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": out})
        return True

    def body_doc(schema: str) -> dict[str, Any]:
        return {
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                },
            },
            "security": [{"WriteKey": []}],
        }

    @app.post(
        f"{PREFIX}/batch",
        response_model=IntakeResponse,
        tags=["segment"],
        summary="A batch of Segment calls from a source (write key)",
        responses=ERRORS,
        openapi_extra=body_doc("SegmentBatch"),
    )
    async def batch(request: Request) -> Response:
        return await handle(request, None)

    def single(kind: str) -> None:
        async def one(request: Request) -> Response:
            return await handle(request, kind)

        app.post(
            f"{PREFIX}/{kind}",
            response_model=IntakeResponse,
            tags=["segment"],
            summary=f"One Segment {kind} call from a source (write key)",
            responses=ERRORS,
            openapi_extra=body_doc("SegmentCall"),
            name=f"segment_{kind}",
        )(one)

    for kind in sorted(CALL_TYPES):
        single(kind)
    return fast


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
