"""Request ids the service makes for requests that bring none: well-formed, unique, unique across forked workers."""

from __future__ import annotations

import os

from service.middleware import _REQUEST_ID_OK, RequestIds


def test_ids_are_32_hex_digits_the_service_would_accept_back_and_never_repeat() -> None:
    ids = RequestIds()
    made = [ids.next() for _ in range(10_000)]
    assert len(set(made)) == len(made)
    assert all(len(i) == 32 and int(i, 16) >= 0 and _REQUEST_ID_OK.match(i) for i in made)
    assert RequestIds().next()[:16] != made[0][:16]  # another process's prefix (64 random bits)


def test_a_forked_worker_draws_a_prefix_of_its_own() -> None:
    ids = RequestIds()
    parent = ids.next()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, then gone at once (no pytest teardown in it)
        os.write(write, ids.next().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert len(child) == 32 and child[:16] != parent[:16]
