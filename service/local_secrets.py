"""Secrets the zero-set-up (embedded) mode generates once and keeps beside its data.

``<EMBEDDED_PG_DIR>/service-secrets.json`` (mode 0600) holds, by name, values that must survive
a restart but that nobody configured: the app role's database password, the portal-token signing
key. Outside the embedded mode such values come from the environment instead.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

FILE_NAME = "service-secrets.json"


def local_secret(directory: Path, name: str) -> str:
    """The secret ``name`` kept in ``directory``, generated (256 bits) and stored on first use."""
    path = Path(directory) / FILE_NAME
    stored = json.loads(path.read_text()) if path.exists() else {}
    if not stored.get(name):
        stored[name] = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(stored, out)
        os.replace(partial, path)  # a reader sees the old file or the new one, never half of it
    return stored[name]
