"""Clearinghouse client: send a 270 over HTTP, get the 271 back (httpx, async).

One :class:`ClearinghouseClient` protocol (``exchange(payer_id, x12_270) -> ClearinghouseReply``)
and one adapter per wire, in ``service/eligibility/wires/``, chosen by ``CLEARINGHOUSE_PROTOCOL``:

- ``core_soap`` (default): CAQH CORE Connectivity vC2.2.0, SOAP 1.2 with a WS-Security UsernameToken
  (``wires/core_soap.py``);
- ``json``: the 270 in the ``x12`` field of a JSON body, an API key in ``Authorization`` (the kind of
  raw-X12 endpoint Stedi offers; ``wires/raw_x12_json.py``);
- ``text``: ``POST /x12/270`` with the 270 as ``text/plain`` (``wires/text_plain.py``).

:class:`HttpClearinghouse` here holds what every wire shares; an adapter only says how a 270 is
wrapped (:meth:`HttpClearinghouse.wrap`) and how the 271 is taken out of the answer
(:meth:`HttpClearinghouse.unwrap`). Shared HTTP statuses::

    -> 429 / 5xx                                  transient (retried)
    -> other 4xx                                  our request was refused (not retried)

Failure handling:

- retried with jittered exponential back-off (``stamina``), up to ``attempts`` tries:
  connection errors and connect timeouts, HTTP 5xx, HTTP 429 (a Retry-After - delay-seconds or
  an HTTP-date - is waited when it is at most ``wait_max``; a longer one ends the retries and
  is passed on, capped at an hour), and a 271 whose AAA says "try again later" (reason 42 / 80 with follow-up
  P, R or none). A read timeout is not retried: the payer may still be working on it and the
  caller (intake staff on the phone) would wait attempts x read timeout.
- every failure becomes an :class:`UpstreamError` problem: **502** a 271 that does not parse
  or a 4xx from the clearinghouse; **503** payer unavailable after the retries, or the payer's
  circuit is open (both with Retry-After); **504** read timeout.
- the per-payer bulkhead and circuit breaker sit in the layer that calls the adapter
  (``payer_gate.py``), not here: they contain a slow or failing payer alike whatever the wire.
- a TA1 or 999 acknowledgement instead of a 271 (``acknowledgements.py``) is **502** ``x12-rejected``
  naming the segment and element it refused (not retried; a 502, so not counted by the breaker), never a
  "malformed 271".
- non-transient AAA (75 not found, 72/73/58 data errors ...) are a successful call: the 271
  is returned and the caller shows the rejection.

Logs carry the payer id, attempt numbers, HTTP status and timings, never the X12 (PHI).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import stamina
import structlog

from contracts.benefits import NormalizedBenefits, Source
from service.eligibility.acknowledgements import Acknowledgement, read_acknowledgement
from service.eligibility.x12 import codes
from service.eligibility.parsing import read_and_normalize
from service.eligibility.x12.reader_271 import Parsed271
from service.eligibility.x12.tokenizer import X12FormatError
from service.errors import UpstreamError

__all__ = [
    "ClearinghouseClient", "ClearinghouseReply", "HttpClearinghouse", "Transient", "WireRequest",
    "acknowledged", "bad_gateway", "refused", "retry_after_header", "timed_out", "unavailable",
]

log = structlog.get_logger("service.eligibility.clearinghouse")


@dataclass(frozen=True, slots=True)
class ClearinghouseReply:
    raw_271: str
    #: the 271 as read (a large one's benefit loops stay in the worker process: see parsing.read_and_normalize)
    parsed: Parsed271
    #: its benefits, read once with it (a large 271's rows as JSON)
    benefits: NormalizedBenefits
    attempts: int
    elapsed_ms: int


class ClearinghouseClient(Protocol):
    """What the eligibility service needs from a clearinghouse, whatever its wire."""

    async def exchange(self, payer_id: str, x12_270: str) -> ClearinghouseReply:
        """Send one 270; return its 271 or raise :class:`UpstreamError` (502/503/504)."""
        ...


@dataclass(frozen=True, slots=True)
class WireRequest:
    """One 270 as a wire sends it: the body bytes and the headers (the URL is the adapter's)."""

    content: bytes
    headers: dict[str, str]


class Transient(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(kind)
        self.kind = kind  # connect | http_5xx | http_429 | aaa
        self.detail = detail
        self.retry_after = retry_after


def bad_gateway(detail: str) -> UpstreamError:
    return UpstreamError(detail, status=502, slug="clearinghouse-bad-response", title="The clearinghouse answered with something unusable")


def unavailable(detail: str, retry_after: int) -> UpstreamError:
    return UpstreamError(
        detail, status=503, slug="payer-unavailable", title="The payer is unavailable right now",
        retry_after_seconds=retry_after,
    )


def refused(detail: str) -> UpstreamError:
    """Our request was refused (credentials, configuration, envelope): not the payer's health, not retried."""
    return UpstreamError(detail, status=502, slug="clearinghouse-refused", title="The clearinghouse refused the request")


def acknowledged(acknowledgement: Acknowledgement) -> UpstreamError:
    """A TA1 or 999 came back instead of a 271: our 270 (or its envelope) was refused, or went unanswered."""
    if acknowledgement.accepted:
        return bad_gateway(acknowledgement.sentence())
    return UpstreamError(
        acknowledgement.sentence(), status=502, slug="x12-rejected",
        title="The clearinghouse rejected the 270 (TA1 or 999 acknowledgement)",
    )


def timed_out(detail: str) -> UpstreamError:
    return UpstreamError(detail, status=504, slug="clearinghouse-timeout", title="The payer did not answer in time")


#: Longest Retry-After passed on to our caller; a clearinghouse asking for longer is asked again after an hour.
MAX_RETRY_AFTER_SECONDS = 3600


def retry_after_header(response: httpx.Response) -> float | None:
    """Seconds from Retry-After (RFC 9110: delay-seconds or an HTTP-date), else None.

    Only ASCII digits count as delay-seconds: ``float()`` would take "inf", "nan" or "1e400".
    """
    value = (response.headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(min(int(value[:12]), MAX_RETRY_AFTER_SECONDS))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    seconds = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    return min(max(0.0, seconds), float(MAX_RETRY_AFTER_SECONDS))


def _whole_seconds(value: float) -> int:
    return max(1, min(math.ceil(value), MAX_RETRY_AFTER_SECONDS))


class HttpClearinghouse:
    """Retries, timeouts and HTTP statuses, shared by every wire adapter.

    Subclasses set :attr:`path` (appended to the base URL unless ``path`` is given) and implement
    :meth:`wrap` and :meth:`unwrap`.
    """

    #: Where this wire's endpoint lives under the clearinghouse's base URL.
    path: str = ""
    protocol: str = ""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        unavailable_retry_after: float = 30.0,
        path: str | None = None,
        attempts: int = 3,
        connect_timeout: float = 3.0,
        read_timeout: float = 15.0,
        wait_initial: float = 0.1,
        wait_max: float = 2.0,
        wait_jitter: float = 0.1,
    ) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + (self.path if path is None else path)
        #: Retry-After of a 503 when the payer did not say (the breaker's reset time)
        self.unavailable_retry_after = unavailable_retry_after
        self.attempts = max(1, attempts)
        self.timeout = httpx.Timeout(read_timeout, connect=connect_timeout, write=read_timeout, pool=read_timeout)
        self.wait_initial, self.wait_max, self.wait_jitter = wait_initial, wait_max, wait_jitter

    @classmethod
    def from_settings(cls, http: httpx.AsyncClient, base_url: str, settings: Any, **kw: Any) -> "HttpClearinghouse":
        return cls(
            http, base_url, unavailable_retry_after=settings.breaker_reset_seconds,
            attempts=settings.clearinghouse_attempts,
            connect_timeout=settings.clearinghouse_connect_timeout, read_timeout=settings.clearinghouse_read_timeout,
            path=settings.clearinghouse_path, **kw,
        )

    def wrap(self, payer_id: str, x12_270: str) -> WireRequest:
        """The body and headers that carry one 270 on this wire."""
        raise NotImplementedError

    def unwrap(self, response: httpx.Response) -> str:
        """The X12 document inside a 200 answer; raise :class:`UpstreamError` / :class:`Transient` if there is none."""
        raise NotImplementedError

    def refusal(self, response: httpx.Response) -> Exception | None:
        """A wire's own reading of a non-200 answer (e.g. a SOAP fault), or None for the shared status rules."""
        return None

    def _retry_hook(self, exc: Exception) -> bool | float:
        if not isinstance(exc, Transient):
            return False
        if exc.retry_after is not None:
            # Never ask again sooner than told; a wait longer than wait_max ends the retries (503 + Retry-After).
            return exc.retry_after if exc.retry_after <= self.wait_max else False
        return True

    async def exchange(self, payer_id: str, x12_270: str) -> ClearinghouseReply:
        """Send one 270 and return the 271 (parsed), or raise :class:`UpstreamError` (502/503/504)."""
        started = time.perf_counter()
        tries = 0
        try:
            async for attempt in stamina.retry_context(
                on=self._retry_hook, attempts=self.attempts, timeout=None,
                wait_initial=self.wait_initial, wait_max=self.wait_max, wait_jitter=self.wait_jitter,
            ):
                with attempt:
                    tries = attempt.num
                    raw, parsed, benefits = await self._once(payer_id, x12_270, tries)
        except Transient as exc:
            log.warning("clearinghouse_gave_up", payer_id=payer_id, attempts=tries, kind=exc.kind)
            retry_after = _whole_seconds(exc.retry_after if exc.retry_after else self.unavailable_retry_after)
            raise unavailable(f"{exc.detail} (after {tries} attempts). Try again later.", retry_after) from None
        elapsed = int((time.perf_counter() - started) * 1000)
        log.info("clearinghouse_answered", payer_id=payer_id, attempts=tries, elapsed_ms=elapsed)
        return ClearinghouseReply(raw_271=raw, parsed=parsed, benefits=benefits, attempts=tries, elapsed_ms=elapsed)

    async def _once(self, payer_id: str, x12_270: str, attempt: int) -> tuple[str, Parsed271, NormalizedBenefits]:
        wire = self.wrap(payer_id, x12_270)  # per attempt: a CORE PayloadID is never reused
        try:
            response = await self.http.post(self.url, content=wire.content, headers=wire.headers, timeout=self.timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.PoolTimeout) as exc:
            log.info("clearinghouse_attempt_failed", attempt=attempt, kind=type(exc).__name__)
            raise Transient("connect", "Could not reach the clearinghouse") from None
        except (httpx.ReadTimeout, httpx.WriteTimeout):
            log.warning("clearinghouse_timeout", attempt=attempt)
            raise timed_out(
                f"The payer did not answer within {self.timeout.read:g} seconds. Try again, or check benefits by phone."
            ) from None
        except httpx.HTTPError as exc:
            log.info("clearinghouse_attempt_failed", attempt=attempt, kind=type(exc).__name__)
            raise Transient("connect", "The connection to the clearinghouse failed") from None

        status = response.status_code
        if status != 200:
            wire_error = self.refusal(response)
            if wire_error is not None:
                raise wire_error
        if status == 429:
            raise Transient("http_429", "The clearinghouse is rate-limiting us", retry_after_header(response))
        if status >= 500:
            log.info("clearinghouse_attempt_failed", attempt=attempt, http_status=status)
            raise Transient("http_5xx", f"The clearinghouse answered HTTP {status}", retry_after_header(response))
        if status >= 400:
            log.warning("clearinghouse_refused", http_status=status)
            raise refused(f"The clearinghouse refused the request (HTTP {status}); check the clearinghouse configuration.")
        if status != 200:
            raise bad_gateway(f"The clearinghouse answered HTTP {status} instead of a 271.")
        raw = self.unwrap(response)
        acknowledgement = read_acknowledgement(raw)
        if acknowledgement is not None:  # a TA1 / 999 instead of the 271: say what it refused, in plain words
            log.warning("clearinghouse_acknowledgement", kind=acknowledgement.kind, accepted=acknowledgement.accepted)
            raise acknowledged(acknowledgement)
        try:  # read once, with its benefits (a large 271 in a worker process): the service stores these
            parsed, benefits = await read_and_normalize(raw, source=Source.CLEARINGHOUSE_271)
        except X12FormatError as exc:
            log.warning("clearinghouse_bad_271", reason=exc.detail)
            raise bad_gateway(f"The payer's answer is not a readable 271: {exc.detail}") from None
        for aaa in parsed.all_rejections():
            if codes.is_retryable(aaa.reason_code, aaa.follow_up_code):
                words = codes.REJECT_REASONS.get(aaa.reason_code or "", ("The payer cannot respond right now", ""))[0]
                log.info("clearinghouse_attempt_failed", attempt=attempt, aaa=aaa.reason_code)
                raise Transient("aaa", f"The payer said: {words} (AAA {aaa.reason_code})")
        return raw, parsed, benefits
