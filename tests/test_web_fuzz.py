"""The API fuzzed from its own OpenAPI schema (schemathesis, with hypothesis): no request it can
generate, valid or not, gets a 5xx; every error is JSON with a ``detail`` and the security headers.

In process (ASGI), no network. Bounded: a few examples per operation (``FUZZ_EXAMPLES``), no
shrinking; runs that happen to be valid queue behind one worker and are stopped when the
module ends. Cost: about 30 s on two cores.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install -e '.[test]')")

from tradewar.web import create_app  # noqa: E402
from tradewar.web.app import SECURITY_HEADERS  # noqa: E402

FUZZ_EXAMPLES = int(os.environ.get("TRADEWAR_FUZZ_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    # schemathesis's in-process client sends Host: localhost (or testserver); both are this machine.
    app = create_app(store=tmp_path_factory.mktemp("fuzz") / "runs.sqlite3", workers=1, max_pending=3,
                     allowed_hosts=("localhost", "127.0.0.1", "testserver"))
    yield app
    app.state.runs.shutdown()


def test_no_request_gets_a_server_error(fuzzed_app):
    """Every operation of the schema, with generated requests (schemathesis's own pytest plugin
    does not run under this pytest, so each operation's strategy is drawn here)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures = []
    for operation in operations:

        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call()
            where = (case.method, case.formatted_path, case.query, str(case.body)[:200])
            if response.status_code >= 500:
                failures.append((where, response.status_code, response.text[:300]))
                return
            headers = {key.lower(): value[0] if isinstance(value, list) else value
                       for key, value in response.headers.items()}
            assert {key.lower() for key in SECURITY_HEADERS} <= set(headers), where
            if response.status_code >= 400:
                assert headers["content-type"].startswith("application/json"), where
                assert isinstance(response.json()["detail"], str), where

        fuzz()
    assert not failures, failures
