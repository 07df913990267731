"""Read and normalize a 271 without holding the event loop.

A 5 KB 271 reads and normalizes in about half a millisecond, so small documents are handled inline. A large
one (a 1 MB 271 takes a second of pure Python) goes to a worker **process**: a thread would not do, since
parsing holds the GIL and the event loop (``/health`` included) would wait for it. Only the answer comes
back: the parsed response with its benefit loops dropped (rejections, traces and demographics kept), the
benefits without their rows, and the rows as one JSON array that stays JSON (``rows_json.py``): it is
stored and answered as is, and decoded only by code that reads rows (:func:`rows_json.rows_of`). Ten
thousand row objects would hold the GIL for a third of a second to decode in one C call.

The pool starts on first use (spawn: no fork of a threaded server), is shut down when its process exits
(also when that process is itself a multiprocessing child, as a server worker is), and each worker
exits by itself when its parent is gone (SIGKILL included).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.util
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import msgspec

from contracts.benefits import NormalizedBenefits, Source
from service.eligibility.benefits import normalize_271
from service.eligibility.rows_json import with_rows_json
from service.eligibility.x12.reader_271 import Parsed271, read_271

__all__ = ["read_and_normalize", "OFFLOAD_CHARS"]

#: Documents at least this long are parsed in the worker process (about 10 ms of parsing inline).
OFFLOAD_CHARS = 16_384
_pool: ProcessPoolExecutor | None = None
_BEFORE_QUEUES_CLOSE = 100
_encoder = msgspec.json.Encoder()


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_worker_started, initargs=(os.getpid(),))
        # Not atexit: a server worker is itself a multiprocessing child, and such a process joins its non-daemon
        # children (these) before atexit handlers would run, so a stopped server worker hung for ever with its
        # pool. multiprocessing's own finalizers run first; priority above its queues' (10) so that the
        # workers' stop sentinels are still sent.
        multiprocessing.util.Finalize(_pool, _pool.shutdown, kwargs={"wait": True, "cancel_futures": True},
                                      exitpriority=_BEFORE_QUEUES_CLOSE)
    return _pool


def _worker_started(parent: int) -> None:
    """Niced (on a busy machine the server's own process, the event loop, is scheduled first), and gone
    within a second of its parent: a server killed with SIGKILL leaves no worker behind."""
    os.nice(10)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _read_and_normalize(text: str, source: Source) -> tuple[Parsed271, NormalizedBenefits]:
    parsed = read_271(text)
    return parsed, normalize_271(parsed, source=source)


def _light(parsed: Parsed271) -> Parsed271:
    """The parsed response without its benefit loops, except each loop's rejections (what callers still read)."""
    for member in (parsed.subscriber, parsed.dependent):
        if member is not None:
            member.benefits = [eb for eb in member.benefits if eb.rejections]
            for eb in member.benefits:
                eb.entities, eb.messages, eb.dates = (), [], ()
    return parsed


def _in_worker(text: str, source: Source) -> tuple[Parsed271, NormalizedBenefits, bytes]:
    parsed, benefits = _read_and_normalize(text, source)
    _light(parsed)
    return parsed, msgspec.structs.replace(benefits, benefit_rows=[]), _encoder.encode(benefits.benefit_rows)


async def read_and_normalize(text: str, *, source: Source) -> tuple[Parsed271, NormalizedBenefits]:
    """:func:`read_271` + :func:`normalize_271`, in a worker process for large documents.

    Raises :class:`X12FormatError` exactly as the inline call does. For a large document the returned
    ``Parsed271`` keeps only the benefit loops that carry rejections, and ``benefit_rows`` is JSON
    (``msgspec.Raw``; read rows with :func:`service.eligibility.rows_json.rows_of`).
    """
    if len(text) < OFFLOAD_CHARS:
        return _read_and_normalize(text, source)
    parsed, benefits, rows_json = await asyncio.get_running_loop().run_in_executor(
        _executor(), _in_worker, text, source)
    return parsed, with_rows_json(benefits, rows_json)
