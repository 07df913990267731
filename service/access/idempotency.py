"""Idempotent POSTs: ``Idempotency-Key`` header, stored in PostgreSQL (survives restarts).

For an authenticated POST carrying the header:

1. buffer the body (refusing more than MAX_BODY_BYTES with 413) and hash method, path,
   query and body (sha256);
2. claim ``(caller, key)`` with INSERT ... ON CONFLICT DO NOTHING;
3. claimed → run the handler, then store status, content type and body when the status is
   2xx or a 4xx other than 409/429; otherwise drop the claim so the request may be retried;
4. not claimed → same hash and completed: replay the stored response (header
   ``Idempotent-Replayed: true``); different hash: 422 ``idempotency-key-reused``; still in
   flight: 409 ``idempotency-request-in-flight`` with Retry-After.

Keys are scoped per caller (API key id, or portal token id), so two callers never collide.
Rows live RETENTION (24 h); older rows count as absent and are deleted lazily. A claim whose
process died is taken over once ``locked_until`` (request timeout + a margin) has passed.

Credentials are never stored: a JSON response whose top level carries ``secret`` or ``token``
(a new API key, a portal token) is stored with that value replaced by
:data:`CREDENTIAL_NOT_STORED`, so a replay says the credential was shown once instead of
handing it out again (revoke it and create a new one if the first response was lost).

Limit of the guarantee: the handler's own transaction and the stored response are not one
transaction. If the process dies after the handler committed but before the response was
stored, the claim expires and a retry runs the handler again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from typing import Any

import asyncpg
import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.access import audit, metrics
from service.db.tenant import NO_ORGANIZATION, acting_for
from service.errors import request_id_of, send_problem
from service.middleware import header

log = structlog.get_logger("service.idempotency")

RETENTION = dt.timedelta(hours=24)
CLAIM_MARGIN_SECONDS = 30.0
_KEY_OK = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
_PRUNE_EVERY_SECONDS = 300.0


def request_hash(method: str, path: str, query: bytes, body: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


CREDENTIAL_FIELDS = ("secret", "token")
CREDENTIAL_NOT_STORED = "[not stored: shown only in the first response]"


def without_credentials(body: bytes, content_type: str | None) -> bytes:
    """The response body as it may be stored: credentials at the top level of a JSON object removed."""
    if not content_type or "json" not in content_type or not body:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict) or not any(isinstance(document.get(f), str) for f in CREDENTIAL_FIELDS):
        return body
    for name in CREDENTIAL_FIELDS:
        if isinstance(document.get(name), str):
            document[name] = CREDENTIAL_NOT_STORED
    return json.dumps(document, separators=(",", ":")).encode()


def _storable(status: int) -> bool:
    return 200 <= status < 300 or (400 <= status < 500 and status not in (409, 429))


class _TooLarge(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _TooLarge("client went away") from None  # treated like an aborted request
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class IdempotencyMiddleware:
    """Wraps the rest of a POST's handling (service/route_layer.py applies it to POSTs with the header)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._last_prune = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        key = header(scope, b"idempotency-key")
        caller = scope.get("state", {}).get("caller")
        pool: asyncpg.Pool | None = scope["app"].state.get("pool")
        if key is None or caller is None or pool is None:
            await self.app(scope, receive, send)  # unauthenticated: the guard answers 401
            return
        key = key.strip()
        if not _KEY_OK.match(key):
            await send_problem(
                scope, send, status=400, slug="invalid-input", title="The request does not match the contract",
                detail="Idempotency-Key must be 1-255 printable ASCII characters without spaces.",
            )
            return
        settings = scope["app"].state.settings
        declared = header(scope, b"content-length")
        try:
            if declared is not None and declared.isdigit() and int(declared) > settings.max_body_bytes:
                raise _TooLarge
            body = await _read_body(receive, settings.max_body_bytes)
        except _TooLarge:
            await send_problem(scope, send, status=413, slug="body-too-large", title="The request body is too large")
            return

        digest = request_hash("POST", scope.get("path", ""), scope.get("query_string", b""), body)
        lock_seconds = settings.request_timeout_seconds + CLAIM_MARGIN_SECONDS
        row = None
        with acting_for(NO_ORGANIZATION):  # idempotency_keys is keyed by caller, without row-level security
            await self._maybe_prune(pool)
            claimed = await _claim(pool, caller.actor_id, key, digest, lock_seconds)
            if not claimed:
                row = await pool.fetchrow(
                    "SELECT request_hash, status, content_type, response_body FROM idempotency_keys "
                    "WHERE caller = $1 AND key = $2",
                    caller.actor_id,
                    key,
                )
                if row is None:  # released between our insert and select: one more try
                    claimed = await _claim(pool, caller.actor_id, key, digest, lock_seconds)
        if row is not None:
            await self._answer_duplicate(scope, send, pool, caller, row, digest)
            return
        if not claimed:
            await _in_flight(scope, send)
            return

        metrics.record_idempotency("new")
        await self._run_and_store(scope, send, pool, caller.actor_id, key, body)

    async def _answer_duplicate(
        self, scope: Scope, send: Send, pool: asyncpg.Pool, caller: Any, row: asyncpg.Record, digest: bytes
    ) -> None:
        if bytes(row["request_hash"]) != digest:
            metrics.record_idempotency("reused")
            await send_problem(
                scope, send, status=422, slug="idempotency-key-reused",
                title="The Idempotency-Key was already used for a different request",
                detail="Use a new Idempotency-Key for a different request body or path.",
            )
            return
        if row["status"] is None:
            await _in_flight(scope, send)
            return
        metrics.record_idempotency("replayed")
        body = bytes(row["response_body"] or b"")
        # The stored response may hold PHI: its replay is a disclosure like the first answer.
        await audit.record(
            pool, caller=caller, action="idempotency.replay", resource_type="http_response",
            resource_id=f"POST {scope.get('path', '')}", request_id=request_id_of(scope),
        )
        headers = [(b"content-length", str(len(body)).encode()), (b"idempotent-replayed", b"true")]
        if row["content_type"]:
            headers.append((b"content-type", row["content_type"].encode("latin-1")))
        await send({"type": "http.response.start", "status": row["status"], "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _run_and_store(
        self, scope: Scope, send: Send, pool: asyncpg.Pool, caller_id: str, key: str, body: bytes
    ) -> None:
        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        captured: dict[str, Any] = {"status": None, "content_type": None, "chunks": []}

        async def capturing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        captured["content_type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                captured["chunks"].append(message.get("body", b""))
            await send(message)

        stored = False
        try:
            await self.app(scope, replay_receive, capturing_send)
            status = captured["status"]
            if status is not None and _storable(status):
                with acting_for(NO_ORGANIZATION):
                    await pool.execute(
                        """UPDATE idempotency_keys SET status = $3, content_type = $4, response_body = $5,
                               completed_at = now()
                           WHERE caller = $1 AND key = $2""",
                        caller_id,
                        key,
                        status,
                        captured["content_type"],
                        without_credentials(b"".join(captured["chunks"]), captured["content_type"]),
                    )
                stored = True
        finally:
            if not stored:
                try:
                    with acting_for(NO_ORGANIZATION):
                        await pool.execute(
                            "DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND status IS NULL",
                            caller_id, key,
                        )
                except Exception as exc:  # noqa: BLE001 - the claim then expires at locked_until
                    log.warning("idempotency_release_failed", exc_type=type(exc).__name__)

    async def _maybe_prune(self, pool: asyncpg.Pool) -> None:
        now = time.monotonic()
        if now - self._last_prune < _PRUNE_EVERY_SECONDS:
            return
        self._last_prune = now
        await pool.execute("DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval", RETENTION)


async def _claim(pool: asyncpg.Pool, caller_id: str, key: str, digest: bytes, lock_seconds: float) -> bool:
    """Insert the in-flight row, or take over an expired row or a dead process's stale claim."""
    row = await pool.fetchrow(
        """INSERT INTO idempotency_keys (caller, key, request_hash, locked_until)
           VALUES ($1, $2, $3, now() + make_interval(secs => $4))
           ON CONFLICT (caller, key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, status = NULL, content_type = NULL, response_body = NULL,
                   created_at = now(), locked_until = EXCLUDED.locked_until, completed_at = NULL
               WHERE idempotency_keys.created_at < now() - $5::interval
                  OR (idempotency_keys.status IS NULL AND idempotency_keys.locked_until < now())
           RETURNING 1""",
        caller_id,
        key,
        digest,
        lock_seconds,
        RETENTION,
    )
    return row is not None


async def _in_flight(scope: Scope, send: Send) -> None:
    metrics.record_idempotency("in_flight")
    await send_problem(
        scope, send, status=409, slug="idempotency-request-in-flight",
        title="A request with this Idempotency-Key is still being processed",
        detail="Retry after the first request has finished to get its response.", retry_after=1,
    )
