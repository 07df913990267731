"""Credentials never reach a log line, even inside a path (revoking a key by its full secret)."""

import io
import json

import structlog

from service.logging import configure_logging

KEY = "bek_0a1b2c3d_Zm9vYmFyYmF6cXV4LXNlY3JldC1wYXJ0LW9mLXRoZS1rZXk"
TOKEN = "pt1.eyJ0aWQiOiJ4In0.c2lnbmF0dXJl"


def test_api_key_secrets_and_portal_tokens_are_redacted_from_every_string() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    structlog.get_logger("test").info(f"revoking {KEY}", path=f"/v1/admin/keys/{KEY}", seen=[TOKEN])
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    text = json.dumps(line)
    assert "Zm9vYmFy" not in text and "c2lnbmF0dXJl" not in text
    assert line["path"].startswith("/v1/admin/keys/bek_0a1b2c3d_")  # which key stays readable
