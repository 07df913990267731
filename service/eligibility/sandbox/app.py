"""The sandbox clearinghouse: a small plain-ASGI app answering 270s with realistic 271s.

It is the default payer when ``CLEARINGHOUSE_URL`` is unset: ``service/lifecycle.py`` runs
``create_sandbox_app(latency_ms=SANDBOX_LATENCY_MS)`` under uvicorn on a loopback port, and the
service talks to it over real HTTP exactly as it would to a clearinghouse.

Wires: the three the service's adapters speak (``service/eligibility/wires/``), at the paths
those adapters use by default (``sandbox/wires.py`` has the details)::

    POST /2025-06-01/protocols/caqh-core                       CAQH CORE vC2.2.0 SOAP (UsernameToken checked)
    POST /2024-04-01/change/medicalnetwork/eligibility/v3/raw-x12   {"x12": ...} with the API key in Authorization
    POST /x12/270            Content-Type: text/plain, body: one 270 interchange (005010X279A1)
      200 text/plain         one 271 interchange (ISA/GS*HB/ST*271 ... SE/GE/IEA)
      400 text/plain         the body is not a 270 (a short reason, no document echoed)
    GET  /health             200 "ok"
    GET  /sandbox/calls      200 JSON {member id: number of 270s received} (tests count retries)

The 271 echoes the 270's TRN trace number (TRN*2*<trace>*<originator>) and BHT03 reference,
swaps the ISA sender and receiver, and names the provider from the 270's NM1*1P. Every 271
is written with ``service.eligibility.x12.writer`` (so no value can break the structure)
and parses with ``read_271`` into the benefits documented in ``roster.py``.

Members (full table in ``service/eligibility/sandbox/roster.py`` and README "Sandbox members"):

| member id | what the sandbox answers |
|---|---|
| MCR-PARTB-001 | Medicare A+B FFS, Part B deductible partly met (2026: 120.00 of 283.00 remaining), 20 % |
| MCR-QMB-002 | Medicare A+B with Medicaid QMB |
| MCR-PSYCH-003 | Medicare, psychiatric lifetime days 45 used / 145 remaining of 190 |
| MCD-FFS-004 | Medicaid fee-for-service (TX, at or below 100 % FPL, 4.00 copay) |
| MCD-MCO-005 | Medicaid managed care, SUNRISE HEALTH PLAN, cost sharing exempt |
| PPO-FAM-006 | PPO in/out of network, individual and family deductible and OOP accumulators |
| PPO-AUTH-007 | PPO requiring prior authorization for IOP (and inpatient), 50.00 IOP copay |
| PPO-INACT-008 | inactive coverage |
| any other id | AAA 75 subscriber not found; a last name / DOB mismatch is AAA 73 / 58 |
| ERR-DOWN-042 | AAA 42 (payer unable to respond), follow-up R, every time |
| ERR-SLOW-504 | answers after ``slow_ms`` (default 20 000 ms > the 15 s default read timeout) |
| ERR-BAD-502 | a truncated 271 (cut inside the ISA) |
| ERR-TA1-006 | a TA1 rejecting the interchange (sender id, ISA06) instead of a 271 (``acknowledgements.py``) |
| ERR-999-NM1 | a 999 rejecting the 270 at NM1/NM109 in loop 2100C instead of a 271 |

``latency_ms`` is added to every answer (benchmarks). The sandbox never logs (its input is PHI).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter
from typing import Any

from service.eligibility.benefits import parse_d8
from service.eligibility.sandbox.acknowledgements import ACK_MEMBERS, author_999, author_ta1
from service.eligibility.sandbox.roster import FAILURE_MEMBERS, Member, benefit_segments, find_member
from service.eligibility.sandbox.wires import Answer, CORE_PATH, JSON_PATH, TEXT_PATH, core_wire, json_wire, text_wire
from service.eligibility.wires import SANDBOX_API_KEY, SANDBOX_TOKEN
from service.eligibility.wires.core_envelope import UsernameToken
from service.eligibility.x12.reader_270 import Parsed270, read_270
from service.eligibility.x12.tokenizer import X12FormatError
from service.eligibility.x12.writer import ControlNumberCounter, Envelope, X12ValueError, write_interchange

__all__ = ["create_sandbox_app", "author_271"]

SLOW_MS_DEFAULT = 20_000


def _d8(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def author_271(
    q: Parsed270,
    *,
    now: dt.datetime,
    control_number: int,
    force_payer_aaa: tuple[str, str] | None = None,
) -> str:
    """The sandbox payer's 271 for one parsed 270 (``now`` is an input: no clock here)."""
    dos = parse_d8(q.date_of_service) or now.date()
    sub = q.subscriber
    member = find_member(sub.member_id)
    payer_name = member.payer_name if member else (q.payer_name or "SANDBOX PAYER")
    payer_id = q.payer_id or (member.payer_id if member else "SANDBOX")
    trace = q.trace_number or "0"
    originator = q.trace_originator or "9999999999"

    body: list[list[Any]] = [
        ["BHT", "0022", "11", q.envelope.bht_reference or trace, _d8(now.date()), now.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id],
    ]
    if force_payer_aaa is not None:
        body.append(["AAA", "N", "", force_payer_aaa[0], force_payer_aaa[1]])
    body += [
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2" if not q.provider_first_name else "1", q.provider_name or "PROVIDER",
         q.provider_first_name or "", "", "", "", q.provider_id_qualifier or "XX", q.provider_id or ""],
    ]
    rejection = _match(member, q) if force_payer_aaa is None else None
    wants_dependent = q.dependent is not None and rejection is None and force_payer_aaa is None
    dependent_match = None
    if wants_dependent and member is not None:
        dependent_match = next(
            (d for d in member.dependents
             if (q.dependent.last_name or "").upper() == d.last_name
             and (q.dependent.first_name or "").upper() == d.first_name
             and parse_d8(q.dependent.date_of_birth) == d.date_of_birth),
            None,
        )
    has_child = dependent_match is not None
    body.append(["HL", "3", "2", "22", "1" if has_child else "0"])
    if not has_child:
        body.append(["TRN", "2", trace, originator])
    if member is not None and rejection is None:
        body.append(["NM1", "IL", "1", member.last_name, member.first_name, "", "", "", "MI", member.member_id])
        body.append(["DMG", "D8", _d8(member.date_of_birth), member.gender])
    else:
        body.append(["NM1", "IL", "1", sub.last_name or "", sub.first_name or "", "", "", "", "MI", sub.member_id or ""])
        if sub.date_of_birth:
            body.append(["DMG", "D8", sub.date_of_birth])
    if rejection is not None:
        body.append(["AAA", "Y", "", rejection, "C"])
    elif wants_dependent and not has_child:
        body.append(["AAA", "Y", "", "77", "C"])  # subscriber found, patient (dependent) not found
    elif member is not None and force_payer_aaa is None:
        if member.member_dates:
            body += member.member_dates(dos)
        if has_child:
            d = dependent_match
            body += [
                ["HL", "4", "3", "23", "0"],
                ["TRN", "2", trace, originator],
                ["NM1", "03", "1", d.last_name, d.first_name],
                ["DMG", "D8", _d8(d.date_of_birth), d.gender],
                ["INS", "N", "19"],
            ]
            if member.member_dates:
                body += member.member_dates(dos)
        body += benefit_segments(member, dos)
    sender = (q.envelope.receiver_id or "SANDBOXCH")[:15]
    receiver = (q.envelope.sender_id or "SUBMITTER")[:15]
    envelope = Envelope(
        sender_id=sender, receiver_id=receiver, interchange_control_number=control_number,
        group_control_number=control_number, created=now, functional_id="HB", transaction_set_id="271",
    )
    return write_interchange([body], envelope)


def _match(member: Member | None, q: Parsed270) -> str | None:
    """AAA03 for a subscriber that does not match, else None."""
    if member is None:
        return "75"
    if (q.subscriber.last_name or "").strip().upper() != member.last_name:
        return "73"
    if parse_d8(q.subscriber.date_of_birth) != member.date_of_birth:
        return "58"
    return None


def _truncated(text: str) -> str:
    return text[:60]  # cut inside the ISA: no reader can take it for a 271


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionResetError
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _send(send: Any, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _sleep_unless_gone(seconds: float, receive: Any) -> bool:
    """Sleep; return False early if the client hung up (so shutdown never waits on a slow answer)."""
    if seconds <= 0:
        return True
    sleeper = asyncio.ensure_future(asyncio.sleep(seconds))
    listener = asyncio.ensure_future(receive())
    done, _ = await asyncio.wait({sleeper, listener}, return_when=asyncio.FIRST_COMPLETED)
    if sleeper in done:
        listener.cancel()
        return True
    sleeper.cancel()
    return False


def create_sandbox_app(
    latency_ms: int = 0, *, slow_ms: int = SLOW_MS_DEFAULT,
    token: UsernameToken = SANDBOX_TOKEN, api_key: str = SANDBOX_API_KEY,
) -> Any:
    """The sandbox clearinghouse as an ASGI callable (see the module docstring)."""
    counter = ControlNumberCounter()
    calls: Counter[str] = Counter()

    async def answer_270(text: str, receive: Any) -> Answer | None:
        """(200, the 271 / TA1 / 999, its kind) or (400, a reason, "") for one 270; None if the caller hung up."""
        try:
            q = read_270(text)
        except X12FormatError as exc:
            return 400, f"not a 270: {exc.detail}", ""
        member_id = (q.subscriber.member_id or "").strip().upper()
        known = find_member(member_id) or member_id in FAILURE_MEMBERS or member_id in ACK_MEMBERS
        calls[member_id if known else "(unknown)"] += 1
        behaviour = FAILURE_MEMBERS.get(member_id)
        delay = latency_ms + (slow_ms if behaviour == "slow" else 0)
        if not await _sleep_unless_gone(delay / 1000, receive):
            return None
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        acknowledgement = ACK_MEMBERS.get(member_id)
        try:
            if acknowledgement == "TA1":
                return 200, author_ta1(q, now=now, control_number=counter.next()), "TA1"
            if acknowledgement == "999":
                return 200, author_999(q, now=now, control_number=counter.next()), "999"
            text = author_271(
                q, now=now, control_number=counter.next(),
                force_payer_aaa=("42", "R") if behaviour == "unavailable" else None,
            )
        except X12ValueError as exc:
            return 400, f"not a usable 270: {exc.field}", ""
        return 200, _truncated(text) if behaviour == "malformed" else text, "271"

    wires = {
        TEXT_PATH: text_wire(answer_270),
        JSON_PATH: json_wire(answer_270, api_key),
        CORE_PATH: core_wire(answer_270, token),
    }

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if method == "GET" and path == "/health":
            await _send(send, 200, b"ok")
            return
        if method == "GET" and path == "/sandbox/calls":
            await _send(send, 200, json.dumps(dict(calls)).encode(), "application/json")
            return
        wire = wires.get(path)
        if wire is None:
            await _send(send, 404, b"not found")
            return
        if method != "POST":
            await _send(send, 405, b"POST a 270 here")
            return
        try:
            raw = await _read_body(receive)
        except ConnectionResetError:
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        answer = await wire(raw, headers, receive)
        if answer is not None:
            await _send(send, *answer)

    return app
