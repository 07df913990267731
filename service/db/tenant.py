"""Which organization the database work of this task acts for, set on every transaction the service opens.

PostgreSQL's row-level security (migration 0900) shows and accepts only the rows of the organization in the
transaction-local setting ``app.organization_id``. This module is the one place that sets it: the service's
connections are :class:`OrganizationConnection`, which

- starts every transaction with ``BEGIN; SELECT set_config('app.organization_id', <org>, true)`` (one round trip),
- runs a statement made outside a transaction (``pool.fetchrow(...)``) inside one such transaction (unless it acts
  for no organization: then there is nothing to set): three round trips (BEGIN + setting, statement, COMMIT);
- except a statement that sets the organization itself (:meth:`OrganizationConnection.fetch_setting_its_own`: a
  database function given the organization of each read it makes, such as migration 0952's audited check reads),
  which goes alone, in one round trip.

The organization comes from :func:`acting_for` / :func:`act_for` (a context variable: each request, each asyncio
task, has its own). The authentication middleware sets it to the caller's organization for the whole request.
Because the setting is transaction-local (``set_config(..., true)``), it ends with the transaction: a pooled
connection never carries one request's organization into the next, whatever the next one does.

Outside any request (command line, tests' helpers, start-up hooks) the work acts for :data:`DEFAULT_ORGANIZATION`,
the organization every row of a single-organization install (and every row from before tenancy) belongs to.
:data:`NO_ORGANIZATION` acts for none: nothing tenant-owned is visible and nothing can be written (requests
without a valid caller run so).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token
from typing import Any

import asyncpg

DEFAULT_ORGANIZATION = "default"
#: Acts for no organization: the setting stays empty, the policies match no row.
NO_ORGANIZATION: str | None = None

_acting_for: ContextVar[str | None] = ContextVar("organization", default=DEFAULT_ORGANIZATION)


def current_organization() -> str | None:
    return _acting_for.get()


def act_for(organization_id: str | None) -> Token[str | None]:
    """Act for ``organization_id`` from here on in this task (undo with :func:`stop_acting`)."""
    return _acting_for.set(organization_id)


def stop_acting(token: Token[str | None]) -> None:
    _acting_for.reset(token)


@contextlib.contextmanager
def acting_for(organization_id: str | None) -> Iterator[None]:
    token = act_for(organization_id)
    try:
        yield
    finally:
        stop_acting(token)


def _literal(value: str) -> str:
    """A SQL string literal (the setting travels in the BEGIN's simple query, which takes no parameters)."""
    if "\x00" in value:
        raise ValueError("an organization id cannot hold NUL")
    return "'" + value.replace("'", "''") + "'"


def _setting_sql(organization_id: str | None) -> str:
    return f" SELECT set_config('app.organization_id', {_literal(organization_id or '')}, true);"


class OrganizationConnection(asyncpg.Connection):  # type: ignore[misc]
    """An asyncpg connection whose transactions act for :func:`current_organization` (see the module docstring)."""

    def _outside_any_organization(self) -> bool:
        """A statement that needs no transaction of its own: one inside a transaction (which set the organization
        at its BEGIN), or one acting for no organization - the setting is transaction-local and never set for the
        session, so outside a transaction it is already empty (authentication's look-ups run so, one round trip)."""
        return self.is_in_transaction() or current_organization() is None

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        if not args and query.startswith("BEGIN") and not self.is_in_transaction():
            # asyncpg's Transaction.start() opens the outermost transaction with exactly this call ("BEGIN;",
            # "BEGIN ISOLATION LEVEL ...;"); a BEGIN sent by hand is a transaction of this organization too.
            begin = query.rstrip().rstrip(";")
            return await super().execute(begin + ";" + _setting_sql(current_organization()), timeout=timeout)
        if self._outside_any_organization():
            return await super().execute(query, *args, timeout=timeout)
        async with self.transaction():
            return await super().execute(query, *args, timeout=timeout)

    async def executemany(self, command: str, args: Any, *, timeout: float | None = None) -> None:
        if self._outside_any_organization():
            return await super().executemany(command, args, timeout=timeout)
        async with self.transaction():
            return await super().executemany(command, args, timeout=timeout)

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> list[Any]:
        if self._outside_any_organization():
            return await super().fetch(query, *args, **kwargs)
        async with self.transaction():
            return await super().fetch(query, *args, **kwargs)

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> Any:
        if self._outside_any_organization():
            return await super().fetchrow(query, *args, **kwargs)
        async with self.transaction():
            return await super().fetchrow(query, *args, **kwargs)

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        if self._outside_any_organization():
            return await super().fetchval(query, *args, **kwargs)
        async with self.transaction():
            return await super().fetchval(query, *args, **kwargs)

    async def fetch_setting_its_own(self, query: str, *args: Any) -> list[Any]:
        """The rows of ``query``, sent as it is: no BEGIN or COMMIT around it, and no organization set for it.

        Only for a statement that sets the organization itself: it calls a database function that is given the
        organization (taken from :func:`current_organization` of the request it acts for) and sets it
        transaction-locally for what it does (migration 0952). Alone it runs in its own implicit transaction,
        committed before its rows come back: one round trip instead of three.
        """
        return await super().fetch(query, *args)

    async def copy_records_to_table(self, table_name: str, **kwargs: Any) -> str:
        if self._outside_any_organization():
            return await super().copy_records_to_table(table_name, **kwargs)
        async with self.transaction():
            return await super().copy_records_to_table(table_name, **kwargs)
