"""HubClient: the terminal's HTTP client for the sync protocol (sync.protocol, /v1).

Every request has explicit timeouts; every answer is streamed with a size cap and parsed into
a ``sync.protocol`` model, so a malformed, hostile or oversized answer becomes a
``ProtocolError`` before anything reaches the cache. Errors are mapped as sync.errors
describes. The client also learns two facts from each exchange: whether the hub was reached
(``online``) and how far the local clock is from the hub's (``last_clock_offset``, from the
Date header).

Thread-safe as far as httpx.Client is: the sync worker and an on-demand member fetch may share
one instance.
"""

from __future__ import annotations

import email.utils
import math
import time
import urllib.parse
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from clerk.errors import ConfigError
from sync import protocol
from sync.errors import ProtocolError, RejectedError, TransportError, error_for_status
from sync.protocol import (
    AuditHead,
    ChangesResponse,
    EnrollResponse,
    InteractionBatchResponse,
    KeysResponse,
    MemberView,
)

DEFAULT_TIMEOUT = httpx.Timeout(connect=2.0, read=10.0, write=10.0, pool=2.0)
# A cache miss is looked up while a customer waits: give up after a second.
LOOKUP_TIMEOUT = httpx.Timeout(1.0)
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_ERROR_BYTES = 64 * 1024
MAX_EXCHANGE_S = 120.0  # one request and its whole answer, however the bytes trickle in

M = TypeVar("M", bound=BaseModel)


class HubClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = httpx.Client(
            base_url=_checked_url(base_url),
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "omni-clerk-terminal/1"},
        )
        self.token = token
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.clock = clock
        # None until the first request; then True when the last request reached the hub
        # (any HTTP answer), False when it did not (TransportError).
        self.online: bool | None = None
        # Hub clock minus local clock, seconds, from the last answer's Date header.
        self.last_clock_offset: float | None = None

    # -- configuration ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    def configure(self, *, base_url: str | None = None, token: str | None = None) -> None:
        """Point the client at another hub and/or use another device token."""
        if base_url is not None:
            self._http.base_url = _checked_url(base_url)
        if token is not None:
            self.token = token

    # -- endpoints ----------------------------------------------------------------------------

    def enroll(self, store_id: str, code: str, device_name: str = "terminal") -> EnrollResponse:
        body = protocol.EnrollRequest(store_id=store_id, code=code, device_name=device_name)
        return self._call(
            "POST", "/devices/enroll", EnrollResponse, json=body.model_dump(), auth=False
        )

    def keys(self) -> KeysResponse:
        return self._call("GET", "/keys", KeysResponse)

    def changes(self, since: int, limit: int = 2000) -> ChangesResponse:
        _check_limit(limit)
        return self._call(
            "GET", "/changes", ChangesResponse, params={"since": since, "limit": limit}
        )

    def changes_page(self, since: int, limit: int = 2000) -> protocol.ChangesPageDict:
        """``changes`` as plain dicts, validated just as strictly (``protocol.CHANGES_PAGE``):
        the bulk pull's path, which hands the rows to the cache without a model per row."""
        _check_limit(limit)
        body = self._request(
            "GET",
            "/changes",
            params={"since": since, "limit": limit},
            json=None,
            auth=True,
            timeout=None,
        )
        try:
            return protocol.CHANGES_PAGE.validate_json(body)
        except ValidationError as exc:
            raise ProtocolError(
                f"malformed {ChangesResponse.__name__} from the hub: {_summary(exc)}"
            ) from exc

    def member(
        self, member_id: str, *, timeout: httpx.Timeout | None = LOOKUP_TIMEOUT
    ) -> MemberView:
        path = "/members/" + urllib.parse.quote(member_id, safe="")
        return self._call("GET", path, MemberView, timeout=timeout)

    def lookup_member(
        self,
        *,
        code_id: int | str | None = None,
        card_no: str | None = None,
        phone_hash: str | None = None,
        timeout: httpx.Timeout | None = LOOKUP_TIMEOUT,
    ) -> MemberView | None:
        """A member by one identity, for a cache miss; None when the hub does not know it."""
        given = {
            k: str(v)
            for k, v in (("code_id", code_id), ("card_no", card_no), ("phone_hash", phone_hash))
            if v is not None
        }
        if len(given) != 1:
            raise ValueError("give exactly one of code_id, card_no, phone_hash")
        try:
            return self._call("GET", "/members/lookup", MemberView, params=given, timeout=timeout)
        except RejectedError as exc:
            if exc.status == 404:
                return None
            raise

    def push(self, interactions: list[dict[str, Any]]) -> InteractionBatchResponse:
        return self._call(
            "POST", "/interactions", InteractionBatchResponse, json={"interactions": interactions}
        )

    def audit_head(self) -> AuditHead:
        """The last audit row the hub acknowledged from this device, and its flags."""
        return self._call("GET", "/audit/head", AuditHead)

    # -- plumbing -----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        auth: bool = True,
        timeout: httpx.Timeout | None = None,
    ) -> M:
        body = self._request(method, path, params=params, json=json, auth=auth, timeout=timeout)
        try:
            return model.model_validate_json(body)
        except ValidationError as exc:
            raise ProtocolError(
                f"malformed {model.__name__} from the hub: {_summary(exc)}"
            ) from exc

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        json: Any,
        auth: bool,
        timeout: httpx.Timeout | None,
    ) -> bytes:
        headers = {}
        if auth and self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        url = protocol.API_PREFIX + path
        # Per-read timeouts do not bound a hub that drips its answer a byte at a time: the
        # whole exchange also has a budget (a lookup's timeout, else MAX_EXCHANGE_S).
        budget = timeout.read if timeout is not None and timeout.read else MAX_EXCHANGE_S
        deadline = time.monotonic() + budget
        try:
            with self._http.stream(
                method,
                url,
                params=params,
                json=json,
                headers=headers,
                timeout=timeout if timeout is not None else self.timeout,
            ) as resp:
                self.online = True
                self._note_date(resp.headers.get("date"))
                ok = resp.status_code < 400
                cap = self.max_response_bytes if ok else MAX_ERROR_BYTES
                body = self._read_capped(resp, cap, truncate=not ok, deadline=deadline)
        except httpx.TransportError as exc:
            self.online = False
            raise TransportError(f"hub not reached ({type(exc).__name__}): {exc}") from exc
        except httpx.DecodingError as exc:
            raise ProtocolError(f"undecodable answer from the hub: {exc}") from exc
        if not ok:
            raise error_for_status(
                resp.status_code,
                body,
                headers=resp.headers,
                reason_phrase=resp.reason_phrase,
                now=self.clock(),
            )
        if resp.status_code != 200:
            raise ProtocolError(f"unexpected status {resp.status_code} from the hub")
        return body

    @staticmethod
    def _read_capped(
        resp: httpx.Response, cap: int, *, truncate: bool, deadline: float = math.inf
    ) -> bytes:
        declared = resp.headers.get("content-length")
        if not truncate and declared is not None and declared.isdigit() and int(declared) > cap:
            raise ProtocolError(f"answer of {declared} bytes exceeds the {cap} byte limit")
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            if time.monotonic() > deadline:
                raise TransportError("the hub's answer is too slow: gave up")
            size += len(chunk)
            if size > cap:
                if truncate:
                    chunks.append(chunk[: cap - (size - len(chunk))])
                    break
                raise ProtocolError(f"answer exceeds the {cap} byte limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _note_date(self, value: str | None) -> None:
        if not value:
            return
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return
        if when.tzinfo is not None:
            self.last_clock_offset = when.timestamp() - self.clock()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _checked_url(url: str) -> httpx.URL:
    """The hub's base URL; ConfigError (reason ``hub_url``) unless it is http(s)://host…"""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigError(f"not a hub URL: {url!r} ({exc})", reason="hub_url") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(
            f"not a hub URL (http:// or https:// and a host): {url!r}", reason="hub_url"
        )
    return parsed


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= protocol.MAX_CHANGES_LIMIT:
        raise ValueError(f"limit must be 1..{protocol.MAX_CHANGES_LIMIT}, got {limit}")


def _summary(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return str(exc)[:200]
    first = errors[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{loc}: {first.get('msg', '')}{more}"[:300]
