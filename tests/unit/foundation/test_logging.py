"""PHI never reaches a log line: captured from the real structlog pipeline."""

import io
import json

import structlog

from service.logging import REDACTED, configure_logging

X12_SNIPPET = "ISA*00*          *00*~NM1*IL*1*SMITH*JOHN****MI*123456789~DMG*D8*19630519*M~"


def _capture(**event: object) -> dict:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    structlog.contextvars.bind_contextvars(request_id="req-123")
    try:
        structlog.get_logger("test").info("eligibility_checked", **event)
    finally:
        structlog.contextvars.clear_contextvars()
    line = stream.getvalue().strip().splitlines()[-1]
    return json.loads(line)


def test_phi_keys_are_redacted_at_any_depth() -> None:
    record = _capture(
        first_name="John",
        last_name="Smith",
        date_of_birth="1963-05-19",
        member_id="123456789",
        payer_id="SANDBOX",
        check={"subscriber": {"last_name": "Smith"}, "dependent": None, "status": "active"},
        people=[{"dob": "1998-10-14", "role": "dependent"}],
        address="15197 BROADWAY AVENUE",
    )
    text = json.dumps(record)
    for secret in ("John", "Smith", "1963-05-19", "123456789", "1998-10-14", "BROADWAY"):
        assert secret not in text, secret
    assert record["first_name"] == REDACTED
    assert record["check"]["subscriber"] == REDACTED
    assert record["check"]["status"] == "active"
    assert record["people"][0]["dob"] == REDACTED
    assert record["payer_id"] == "SANDBOX"  # not PHI: kept
    assert record["request_id"] == "req-123"


def test_raw_x12_in_any_value_is_redacted() -> None:
    record = _capture(note=X12_SNIPPET, error_detail="failed on " + X12_SNIPPET)
    assert record["note"] == REDACTED
    assert record["error_detail"] == REDACTED
    assert "SMITH" not in json.dumps(record)


def test_plain_values_are_kept() -> None:
    record = _capture(status=200, path="/v1/estimates", duration_ms=3.2)
    assert record["status"] == 200
    assert record["path"] == "/v1/estimates"
    assert record["event"] == "eligibility_checked"
    assert record["level"] == "info"
