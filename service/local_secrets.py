"""Secrets the zero-set-up (embedded) mode generates once and keeps beside its data.

``<EMBEDDED_PG_DIR>.secrets.json`` (mode 0600, next to the PostgreSQL data directory, not inside
it) holds, by name, values that must survive a restart but that nobody configured: the app
role's database password, the portal-token signing key. Outside the embedded mode such values
come from the environment instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from pathlib import Path


def embedded_secrets_file(embedded_pg_dir: Path) -> Path:
    directory = Path(embedded_pg_dir).resolve()
    return directory.with_name(directory.name + ".secrets.json")


def local_secret(path: Path, name: str) -> str:
    """The secret ``name`` kept in the file ``path``, generated (256 bits) and stored on first use.

    A lock file serializes processes starting at once (``serve`` beside a ``keys`` command), so they
    all end up with the same value.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        stored = json.loads(path.read_text()) if path.exists() else {}
        if not stored.get(name):
            stored[name] = secrets.token_urlsafe(32)
            partial = path.with_suffix(".tmp")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(stored, out)
            os.replace(partial, path)  # a reader sees the old file or the new one, never half of it
        return stored[name]
    finally:
        os.close(lock_fd)
