"""Stops the embedded PostgreSQL once the service process is gone (even after SIGKILL).

Run as ``python -m service.db.watchdog <service_pid> <data_dir>`` by ``embedded.py``;
it polls twice a second and exits as soon as its work is done.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from service.db.embedded import _pg_ctl_stop, process_alive


def main(argv: list[str]) -> int:
    service_pid, data_dir = int(argv[0]), Path(argv[1])
    while process_alive(service_pid):
        time.sleep(0.5)
    _pg_ctl_stop(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
