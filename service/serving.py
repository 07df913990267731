"""``benefits-estimator serve``: the HTTP server (SERVER) and its worker processes (WORKERS).

granian (the default) or uvicorn runs WORKERS processes that share the listening socket; each worker is a whole
app (its own pool, caches, breaker view) built by :func:`worker_app`. What there must be one of is started here,
in the serving process, before the workers: the embedded PostgreSQL (when DATABASE_URL is unset) with its
migrations, and the sandbox clearinghouse (when CLEARINGHOUSE_URL is unset). Their addresses reach the workers in
one private environment variable (:data:`HANDOFF`), never as a setting a user would set.

Workers die with the serving process: each asks the kernel for SIGTERM when its parent goes (even after a
SIGKILL), so no worker outlives the database it was using.

Why granian: on this 2-core machine it answered the service's requests faster than uvicorn with httptools and
uvloop (figures in the README's benchmark section, ``bench/service_speed.py``); uvicorn stays selectable. Both run
their workers on uvloop (a dependency on Linux and macOS; uvicorn's ``loop="auto"`` takes it): asyncpg's round trips
and granian's wake-ups of the loop from its own threads cost about 13 % less CPU per request than on asyncio's loop.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import signal
import sys
from contextlib import ExitStack
from typing import Any

import msgspec
import structlog

from service.config import Settings, load_settings

log = structlog.get_logger("service.serving")

#: JSON {"database_url": ..., "sandbox_url": ...} from the serving process to its workers.
HANDOFF = "BENEFITS_ESTIMATOR_SERVE_HANDOFF"
_WORKER_TARGET = "service.serving:worker_app"


class _Handoff(msgspec.Struct, frozen=True):
    database_url: str | None = None
    sandbox_url: str | None = None
    #: Embedded mode: the least-privileged role's URL and the portal secret kept beside the data (harden).
    app_database_url: str | None = None
    portal_token_secret: str | None = None


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when the process that started it ends (a no-op elsewhere).

    On an orderly stop the server stops its workers and waits for them before it exits, so this only fires when
    ``serve`` itself was killed outright: the embedded PostgreSQL goes with it, and a worker asked to stop with
    SIGTERM could hang in its own graceful shutdown (closing a pool to a database that is gone) while still holding
    the listening socket. Seen as a flake of test_serve_then_kill_leaves_no_postgres[SIGKILL]."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except OSError:
        return
    if os.getppid() != parent:  # the parent went before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


#: Net new container objects between two young collections of a worker's garbage collector (Python's default: 700).
#: At 700 a worker with dozens of requests in flight collected every few requests and promoted their live objects to
#: the older generations, whose collections then walked them again (bench/service_speed.py); a request's objects are
#: freed by reference counting when it ends, so a larger young generation is collected rarely and holds no more.
YOUNG_GENERATION_THRESHOLD = 20_000


def settle_garbage_collector() -> None:
    """After start-up: what start-up built (routes, schemas, pools: some 110,000 objects that live as long as the
    worker) is set aside from the collector's full walks (``gc.freeze``) - each took ~50 ms, a pause of every request
    in flight - and young collections happen at :data:`YOUNG_GENERATION_THRESHOLD` (a worker process only: a process
    that builds many apps, the tests, would keep each one's cycles for good)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


def worker_app() -> Any:
    """The app one worker serves (the import string the HTTP server loads in each worker process)."""
    _die_with_parent()
    settings = load_settings()
    handed = msgspec.json.decode(os.environ.get(HANDOFF, "{}"), type=_Handoff)
    if handed.database_url and settings.database_url is None:
        settings = msgspec.structs.replace(settings, database_url=handed.database_url)
    if handed.sandbox_url and settings.clearinghouse_url is None:
        settings = msgspec.structs.replace(settings, sandbox_url=handed.sandbox_url)
    if handed.app_database_url and settings.app_database_url is None:
        settings = msgspec.structs.replace(settings, app_database_url=handed.app_database_url)
    if handed.portal_token_secret and not settings.portal_token_secret:
        settings = msgspec.structs.replace(settings, portal_token_secret=handed.portal_token_secret)
    return served_app(settings)


def served_app(settings: Settings) -> Any:
    """The app a worker process serves: the service's, its collector settled once it has started."""
    from service.app import create_app  # noqa: PLC0415

    app = create_app(settings)
    app.on_startup.append(settle_garbage_collector)  # the last hook: after the pool and the OpenAPI schema
    return app


def _shared_parts(settings: Settings, stack: ExitStack) -> _Handoff:
    """The embedded PostgreSQL (migrated) and the sandbox payer, once for all workers, when they are used."""
    database_url = settings.database_url
    app_database_url = portal_token_secret = None
    if database_url is None:
        from service.db.app_role import least_privileged_url  # noqa: PLC0415
        from service.db.embedded import start_embedded  # noqa: PLC0415
        from service.db.pool import migrate_url  # noqa: PLC0415
        from service.local_secrets import embedded_secrets_file, local_secret  # noqa: PLC0415

        embedded = start_embedded(settings.embedded_pg_dir)
        stack.callback(embedded.stop)
        database_url = embedded.url
        asyncio.run(migrate_url(database_url))
        # The embedded dev mode's own least-privileged role and portal secret, kept beside the data (README).
        app_database_url = asyncio.run(
            least_privileged_url(database_url, app_url=None, embedded_dir=settings.embedded_pg_dir, log=log)
        )
        portal_token_secret = local_secret(embedded_secrets_file(settings.embedded_pg_dir), "portal_token_secret")
    sandbox_url = None
    if settings.clearinghouse_url is None:
        from service.lifecycle import start_sandbox  # noqa: PLC0415

        sandbox = start_sandbox(settings)
        if sandbox is not None:
            stack.callback(sandbox.stop)
            sandbox_url = sandbox.base_url
    return _Handoff(database_url=database_url if settings.database_url is None else None, sandbox_url=sandbox_url,
                    app_database_url=app_database_url, portal_token_secret=portal_token_secret)


def serve(settings: Settings, host: str, port: int) -> None:
    from service.logging import configure_logging  # noqa: PLC0415

    configure_logging(settings.log_level, settings.log_format)
    with ExitStack() as stack:
        handoff = _shared_parts(settings, stack)
        os.environ[HANDOFF] = msgspec.json.encode(handoff).decode()
        log.info("serving", server=settings.server, workers=settings.workers, host=host, port=port)
        if settings.server == "uvicorn":
            import uvicorn  # noqa: PLC0415

            uvicorn.run(_WORKER_TARGET, factory=True, host=host, port=port, workers=settings.workers,
                        log_config=None, access_log=False, lifespan="on")
            return
        from granian import Granian  # noqa: PLC0415
        from granian.constants import Interfaces, Loops  # noqa: PLC0415

        Granian(_WORKER_TARGET, factory=True, address=host, port=port, interface=Interfaces.ASGI,
                workers=settings.workers, websockets=False, log_level=_granian_level(settings.log_level),
                loop=Loops.uvloop if _has_uvloop() else Loops.asyncio).serve()


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401, PLC0415
    except ImportError:  # Windows: uvloop is not installed there
        return False
    return True


def _granian_level(level: str) -> Any:
    from granian.log import LogLevels  # noqa: PLC0415

    return LogLevels(level.lower())
