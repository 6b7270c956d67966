"""The hub against generated requests: schemathesis on the real hub's /openapi.json on loopback.

Every operation gets a bounded number of generated requests, valid (positive) and invalid
(negative), with a real device token (the Segment routes: a real source's write key as HTTP
Basic user). Pass: no 5xx, and every error is RFC 9457 problem JSON
(``application/problem+json`` with ``title`` and ``status``). The hub side of "bad input
everywhere" (the terminal side is test_hostile_hub.py).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_harness import STORE
from schemathesis import GenerationMode

from sync.hub.embedded import HubHandle
from sync.hub.segment.sources import Sources

EXAMPLES = int(os.environ.get("CLERK_SCHEMATHESIS_EXAMPLES", "80"))


def _check(case: Any, response: Any) -> str | None:
    """A problem with one answer, or None."""
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    if response.status_code >= 500:
        return f"{where}: server error {response.text[:200]!r}"
    if response.status_code >= 400:
        value = response.headers.get("content-type") or ""
        kind = value[0] if isinstance(value, list) else str(value)
        if not kind.startswith("application/problem+json"):
            return f"{where}: error without problem JSON ({kind})"
        try:
            doc = json.loads(response.text)
        except ValueError:
            return f"{where}: unreadable problem JSON"
        if not (isinstance(doc, dict) and isinstance(doc.get("title"), str)):
            return f"{where}: problem without a title"
        if doc.get("status") != response.status_code:
            return f"{where}: problem status {doc.get('status')!r}"
    return None


@pytest.mark.slow
def test_generated_requests_never_break_the_hub(hub: HubHandle) -> None:
    token = hub.enrol(STORE, device_name="fuzzer")["token"]
    write_key = Sources(hub.store).add("fuzzer")[1]
    basic = "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()
    schema = schemathesis.openapi.from_url(hub.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6, [op.label for op in operations]
    problems: list[str] = []
    calls = 0
    for op in operations:
        strategy = st.one_of(
            op.as_strategy(GenerationMode.POSITIVE), op.as_strategy(GenerationMode.NEGATIVE)
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            nonlocal calls
            segment = case.path.startswith("/segment/")
            headers = {"Authorization": basic if segment else f"Bearer {token}"}
            response = case.call(base_url=hub.url, headers=headers, timeout=10)
            calls += 1
            problem = _check(case, response)
            if problem is not None and len(problems) < 20:
                problems.append(problem)

        run()
    print(f"\nschemathesis: {len(operations)} operations, {calls} generated requests")
    assert calls >= len(operations) * 5
    assert problems == []
