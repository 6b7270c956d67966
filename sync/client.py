"""HubClient: the terminal's HTTP client for the sync protocol (sync.protocol, /v1).

Every request has explicit timeouts; every answer is streamed with a size cap and parsed into
a ``sync.protocol`` model, so a malformed, hostile or oversized answer becomes a
``ProtocolError`` before anything reaches the cache. Errors are mapped as sync.errors
describes. The client also learns two facts from each exchange: whether the hub was reached
(``online``) and how far the local clock is from the hub's (``last_clock_offset``, from the
Date header).

Access tokens are short-lived. A client that knows its device id and secret gets a new one
(``POST /v1/devices/token``) when its token is about to expire, or when the hub answers 401
for any reason but ``device_revoked`` — then it retries the request once; ``on_token`` is told
of each new token (the engine keeps it in outbox.db). A 401 ``device_revoked`` is raised at
once as ``DeviceRevokedError``.

Thread-safe as far as httpx.Client is: the sync worker and an on-demand member fetch may share
one instance (a refresh is made once for everyone waiting on the same stale token).
"""

from __future__ import annotations

import email.utils
import math
import threading
import time
import urllib.parse
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from clerk.errors import ConfigError
from sync import protocol
from sync.errors import (
    AuthError,
    DeviceRevokedError,
    ProtocolError,
    RejectedError,
    TransportError,
    error_for_status,
)
from sync.protocol import (
    AuditHead,
    ChangesResponse,
    EnrollResponse,
    InteractionBatchResponse,
    KeysResponse,
    MemberLookupRequest,
    MemberView,
    TokenRequest,
    TokenResponse,
)

DEFAULT_TIMEOUT = httpx.Timeout(connect=2.0, read=10.0, write=10.0, pool=2.0)
# A cache miss is looked up while a customer waits: give up after a second.
LOOKUP_TIMEOUT = httpx.Timeout(1.0)
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_ERROR_BYTES = 64 * 1024
MAX_EXCHANGE_S = 120.0  # one request and its whole answer, however the bytes trickle in
PROBE_TIMEOUT_S = 3.0  # a reachability probe: the hub answers /healthz at once
REFRESH_MARGIN_S = 30.0  # a token this close to its expiry is renewed before it is used
# An idle connection to the hub is kept this long (httpx's default is 5 s): a terminal's rounds
# come every few seconds, and one backing off from a 503 or a slow network waits longer — each
# new connection is a TCP (and in a store, TLS) handshake on both sides. Below the hub's own
# keep-alive (sync.hub.app.KEEP_ALIVE_S, 75 s), so the terminal, not the hub, closes an idle
# one: a request never goes out on a connection the hub is closing at that moment.
KEEPALIVE_S = 60.0

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
        device_id: str | None = None,
        device_secret: str | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=_checked_url(base_url),
            transport=transport,
            timeout=timeout,
            limits=httpx.Limits(
                max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_S
            ),
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "omni-clerk-terminal/1"},
        )
        self.token = token
        self.device_id = device_id
        self.device_secret = device_secret
        self.on_token = on_token  # told of every new access token
        self._token_deadline: float | None = None  # monotonic: renew the token after this
        self._refresh_lock = threading.Lock()
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

    def configure(
        self,
        *,
        base_url: str | None = None,
        token: str | None = None,
        device_id: str | None = None,
        device_secret: str | None = None,
        expires_in: float | None = None,
    ) -> None:
        """Point the client at another hub and/or use another access token (valid
        ``expires_in`` more seconds, when known) or device credential."""
        if base_url is not None:
            self._http.base_url = _checked_url(base_url)
        if token is not None:
            self.token = token
            self._token_deadline = (
                None if expires_in is None else time.monotonic() + expires_in - REFRESH_MARGIN_S
            )
        if device_id is not None:
            self.device_id = device_id
        if device_secret is not None:
            self.device_secret = device_secret

    # -- endpoints ----------------------------------------------------------------------------

    def enroll(self, store_id: str, code: str, device_name: str = "terminal") -> EnrollResponse:
        body = protocol.EnrollRequest(store_id=store_id, code=code, device_name=device_name)
        return self._call(
            "POST", "/devices/enroll", EnrollResponse, json=body.model_dump(), auth=False
        )

    def refresh_token(self, *, timeout: httpx.Timeout | None = None) -> TokenResponse:
        """A new access token against the device secret (kept, and passed to ``on_token``).
        AuthError when the hub refuses the secret; DeviceRevokedError when revoked."""
        if not (self.device_id and self.device_secret):
            raise ValueError("no device credential to get an access token with")
        body = TokenRequest(device_id=self.device_id, device_secret=self.device_secret)
        resp = self._call(
            "POST",
            "/devices/token",
            TokenResponse,
            json=body.model_dump(),
            auth=False,
            timeout=timeout,
        )
        self.configure(token=resp.token, expires_in=resp.expires_in)
        if self.on_token is not None:
            self.on_token(resp.token)
        return resp

    def healthz(self, timeout: float = PROBE_TIMEOUT_S) -> float | None:
        """Is the hub reachable? A cheap unauthenticated GET /healthz (outside /v1); raises
        TransportError when it cannot be reached, a SyncError when it answers with an error.
        Returns the window the hub asks a terminal back from offline to spread its first
        round over (``protocol.Health.reconnect_s``, seconds), None when it does not say (an
        older hub, another answer): the hub answered all the same."""
        try:
            resp = self._http.get("/healthz", timeout=timeout)
        except httpx.TransportError as exc:
            self.online = False
            raise TransportError(f"hub not reached ({type(exc).__name__}): {exc}") from exc
        self.online = True
        if resp.status_code >= 400:
            raise error_for_status(
                resp.status_code,
                resp.content[:MAX_ERROR_BYTES],
                headers=resp.headers,
                reason_phrase=resp.reason_phrase,
                now=self.clock(),
            )
        try:
            return protocol.Health.model_validate_json(resp.content).reconnect_s
        except ValidationError:
            return None

    def keys(self) -> KeysResponse:
        return self._call("GET", "/keys", KeysResponse)

    def changes(self, since: int, limit: int = 2000) -> ChangesResponse:
        _check_limit(limit)
        return self._call(
            "GET", "/changes", ChangesResponse, params={"since": since, "limit": limit}
        )

    def changes_page(
        self, since: int, limit: int = 2000, *, wait: float = 0.0, rows: bool = True
    ) -> protocol.ChangesPageDict | protocol.RowsPageDict:
        """``changes`` as plain dicts, validated just as strictly (``protocol.CHANGES_PAGE``):
        the bulk pull's path, which hands the rows to the cache without a model per row.
        ``rows``: asks for the compact row format (``format=rows``, ``protocol.ROWS_PAGE``);
        a hub without it answers the object format. Either way the page is read in the format
        it came in, told by the answer's first member, and validated as strictly. ``wait`` > 0
        (at most ``protocol.MAX_CHANGES_WAIT_S``): a long-poll — the hub answers when the store
        has a change after ``since`` or after ``wait`` seconds, empty."""
        _check_limit(limit)
        params: dict[str, Any] = {"since": since, "limit": limit}
        if rows:
            params["format"] = protocol.ROWS_FORMAT
        timeout = None
        if wait > 0:
            wait = min(wait, protocol.MAX_CHANGES_WAIT_S)
            params["wait"] = wait
            read = (self.timeout.read or DEFAULT_TIMEOUT.read or 10.0) + wait
            timeout = httpx.Timeout(
                connect=self.timeout.connect,
                read=read,
                write=self.timeout.write,
                pool=self.timeout.pool,
            )
        body = self._request(
            "GET",
            "/changes",
            params=params,
            json=None,
            auth=True,
            timeout=timeout,
        )
        if protocol.in_row_format(body):
            try:
                return protocol.ROWS_PAGE.validate_json(body)
            except ValidationError as exc:
                raise ProtocolError(
                    f"malformed {protocol.RowsResponse.__name__} from the hub: {_summary(exc)}"
                ) from exc
        try:
            return protocol.CHANGES_PAGE.validate_json(body)
        except ValidationError as exc:
            raise ProtocolError(
                f"malformed {ChangesResponse.__name__} from the hub: {_summary(exc)}"
            ) from exc

    def member(
        self, member_id: str, *, timeout: httpx.Timeout | None = LOOKUP_TIMEOUT
    ) -> MemberView:
        """A member of this device's own store (404 for any other: look those up by proof)."""
        path = "/members/" + urllib.parse.quote(member_id, safe="")
        return self._call("GET", path, MemberView, timeout=timeout)

    def lookup_member(
        self,
        *,
        staff_id: str,
        code: str | None = None,
        card_no: str | None = None,
        phone: str | None = None,
        timeout: httpx.Timeout | None = LOOKUP_TIMEOUT,
    ) -> MemberView | None:
        """A member from elsewhere, against one proof of presence (the member code as scanned,
        the card number or the phone number as typed), asked by the signed-in ``staff_id``;
        None when the hub knows no such member. Sent in the body: never in a URL or a log."""
        try:
            body = MemberLookupRequest(staff_id=staff_id, code=code, card_no=card_no, phone=phone)
        except ValidationError as exc:
            raise ValueError(f"not a member look-up: {_summary(exc)}") from exc
        try:
            return self._call(
                "POST",
                "/members/lookup",
                MemberView,
                json=body.model_dump(exclude_none=True),
                timeout=timeout,
            )
        except RejectedError as exc:
            if exc.status == 404 and not isinstance(exc, AuthError):
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
        if not auth:
            return self._exchange(method, path, params, json, None, timeout)
        token = self.token
        if self._can_refresh() and (
            token is None
            or (self._token_deadline is not None and time.monotonic() >= self._token_deadline)
        ):
            token = self._renew(token, timeout)
        try:
            return self._exchange(method, path, params, json, token, timeout)
        except AuthError as exc:
            if exc.status != 401 or isinstance(exc, DeviceRevokedError) or not self._can_refresh():
                raise
        # Expired (a terminal asleep for an hour), or a hub whose token secret changed:
        # a new token, and the request once more.
        return self._exchange(method, path, params, json, self._renew(token, timeout), timeout)

    def _can_refresh(self) -> bool:
        return bool(self.device_id and self.device_secret)

    def _renew(self, stale: str | None, timeout: httpx.Timeout | None) -> str | None:
        """A fresh token in place of ``stale`` — unless another thread already renewed it.
        Within the request's own timeout (a customer waiting on a look-up waits no longer)."""
        with self._refresh_lock:
            if self.token == stale or self.token is None:
                self.refresh_token(timeout=timeout)
            return self.token

    def _exchange(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        token: str | None,
        timeout: httpx.Timeout | None,
    ) -> bytes:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
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
