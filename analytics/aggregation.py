# ruff: noqa: S608  (identifiers come from model metadata, kinds from Kind; every other value is a bound parameter)
"""Folding stored events into the daily aggregates, set-based: a few statements for any number of events.

One run takes up to `limit` events that are not aggregated yet and, in one transaction,
adds them to the post, creator and referrer rows of their days (INSERT … SELECT … GROUP BY
… ON CONFLICT DO UPDATE, the same SQL on PostgreSQL and SQLite), records their visitors
for the unique counts, and flags them `aggregated`.

Two runs never count an event twice, nor a visitor twice:
- PostgreSQL: runs are serialised by a transaction-level advisory lock (a run that comes
  second waits, then sees the first one's flags), and the run is one statement whose
  data-modifying CTEs claim the events (`FOR UPDATE SKIP LOCKED`, flagged in the same
  UPDATE), so an event that arrives during the run waits for the next run.
- SQLite: the transaction is IMMEDIATE (settings), i.e. holds the database's write lock
  from its start, so nothing else writes while it runs.
"""

from __future__ import annotations

import functools

import psycopg
from django.db import connection, transaction

from analytics.models import (
    CreatorVisitor,
    DailyCreatorReferrer,
    DailyCreatorStats,
    DailyPostStats,
    DailyReferrer,
    Event,
    Kind,
    PostVisitor,
)
from analytics.selectors import CREATOR_FIELDS, POST_FIELDS

# pg_advisory_xact_lock key of the aggregator (any constant unique to this job).
LOCK_KEY = 0x1A7A_A66E


def _t(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _sum(kind: str, amount: str = "e.count") -> str:
    return f"SUM(CASE WHEN e.kind = '{kind}' THEN {amount} ELSE 0 END)"


def _add(model: type, columns: tuple[str, ...]) -> str:
    table = _t(model)
    return ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)


def _unique(visitors: type, key: str) -> str:
    """Distinct visitors of the group not yet recorded for that post/creator and day."""
    return (
        f"COUNT(DISTINCT CASE WHEN e.kind = '{Kind.VIEW}' AND NOT EXISTS (SELECT 1 FROM {_t(visitors)} v "
        f"WHERE v.{key} = e.{key} AND v.day = e.day AND v.visitor_hash = e.visitor_hash) "
        f"THEN e.visitor_hash END)"
    )


def statements(scope: str, *, source: str | None = None) -> list[str]:
    """The run's statements; `scope` is a condition on `e` (the events of this run), with one %s at most.

    `source` replaces the events table (PostgreSQL: the CTE of the claimed events); the last
    statement, which flags the events, is then left out.
    """
    ev = source or f"{_t(Event)} e"
    post_kinds = ", ".join(f"'{k}'" for k in (Kind.VIEW, Kind.COMMENT, Kind.EMAIL_SENT, Kind.EMAIL_CLICK))
    view = f"e.kind = '{Kind.VIEW}'"
    return [
        # Counters first, so the unique counts see the visitor rows from before this run.
        f"""INSERT INTO {_t(DailyPostStats)} (post_id, creator_id, day, views, unique_visitors, comments, emails_sent,
        clicks)
        SELECT e.post_id, e.creator_id, e.day, {_sum(Kind.VIEW, "1")}, {_unique(PostVisitor, "post_id")},
               {_sum(Kind.COMMENT)}, {_sum(Kind.EMAIL_SENT)}, {_sum(Kind.EMAIL_CLICK)}
        FROM {ev} WHERE {scope} AND e.post_id IS NOT NULL AND e.kind IN ({post_kinds})
        GROUP BY e.post_id, e.creator_id, e.day
        ON CONFLICT (post_id, day) DO UPDATE SET
        {_add(DailyPostStats, POST_FIELDS)}""",
        f"""INSERT INTO {_t(DailyCreatorStats)} (creator_id, day, views, unique_visitors, comments, subscribers_gained,
        subscribers_lost, emails_sent, clicks)
        SELECT e.creator_id, e.day, {_sum(Kind.VIEW, "1")}, {_unique(CreatorVisitor, "creator_id")},
               {_sum(Kind.COMMENT)}, {_sum(Kind.SUBSCRIBE)}, {_sum(Kind.UNSUBSCRIBE)}, {_sum(Kind.EMAIL_SENT)},
               {_sum(Kind.EMAIL_CLICK)}
        FROM {ev} WHERE {scope}
        GROUP BY e.creator_id, e.day
        ON CONFLICT (creator_id, day) DO UPDATE SET
        {_add(DailyCreatorStats, CREATOR_FIELDS)}""",
        f"""INSERT INTO {_t(DailyReferrer)} (post_id, creator_id, day, domain, count)
        SELECT e.post_id, e.creator_id, e.day, e.referrer_domain, COUNT(*)
        FROM {ev} WHERE {scope} AND {view} AND e.post_id IS NOT NULL
        GROUP BY e.post_id, e.creator_id, e.day, e.referrer_domain
        ON CONFLICT (post_id, day, domain) DO UPDATE SET {_add(DailyReferrer, ("count",))}""",
        f"""INSERT INTO {_t(DailyCreatorReferrer)} (creator_id, day, domain, count)
        SELECT e.creator_id, e.day, e.referrer_domain, COUNT(*)
        FROM {ev} WHERE {scope} AND {view}
        GROUP BY e.creator_id, e.day, e.referrer_domain
        ON CONFLICT (creator_id, day, domain) DO UPDATE SET {_add(DailyCreatorReferrer, ("count",))}""",
        f"""INSERT INTO {_t(PostVisitor)} (post_id, day, visitor_hash)
        SELECT DISTINCT e.post_id, e.day, e.visitor_hash FROM {ev} WHERE {scope} AND {view} AND e.post_id IS NOT NULL
        ON CONFLICT DO NOTHING""",
        f"""INSERT INTO {_t(CreatorVisitor)} (creator_id, day, visitor_hash)
        SELECT DISTINCT e.creator_id, e.day, e.visitor_hash FROM {ev} WHERE {scope} AND {view}
        ON CONFLICT DO NOTHING""",
        *(
            []
            if source
            else [f"UPDATE {_t(Event)} SET aggregated = TRUE WHERE id IN (SELECT e.id FROM {ev} WHERE {scope})"]
        ),
    ]


@functools.cache
def _pg_run_statement() -> str:
    """PostgreSQL: a whole run in one statement. The claim (UPDATE … RETURNING) is read once by every
    insert, and all the parts see one snapshot, so the unique counts see the visitor rows as they were
    before this run, exactly as the portable statements do one after the other."""
    parts = statements("TRUE", source="batch e")
    ctes = ",\n".join(f"s{i} AS (\n{sql}\n)" for i, sql in enumerate(parts))
    return f"""
WITH batch AS (
  UPDATE {_t(Event)} SET aggregated = TRUE
  WHERE id IN (SELECT id FROM {_t(Event)} WHERE NOT aggregated ORDER BY created_at LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED)
  RETURNING id, kind, post_id, creator_id, visitor_hash, day, referrer_domain, count
),
{ctes}
SELECT count(*) FROM batch
"""


@functools.cache
def _store_statement() -> str:
    from accounts.models import User
    from posts.models import Post

    return f"""
INSERT INTO {_t(Event)} (id, kind, post_id, creator_id, visitor_hash, day, referrer_domain, utm_source, count,
                         created_at, aggregated)
SELECT v.id, v.kind, v.post_id, v.creator_id, v.visitor_hash, v.day, v.referrer_domain, v.utm_source, v.count,
       v.created_at, FALSE
FROM unnest(%(id)s::uuid[], %(kind)s::varchar[], %(post_id)s::uuid[], %(creator_id)s::uuid[],
            %(visitor_hash)s::varchar[], %(day)s::date[], %(referrer_domain)s::varchar[], %(utm_source)s::varchar[],
            %(count)s::integer[], %(created_at)s::timestamptz[])
     AS v(id, kind, post_id, creator_id, visitor_hash, day, referrer_domain, utm_source, count, created_at)
WHERE EXISTS (SELECT 1 FROM {_t(User)} u WHERE u.id = v.creator_id)
  AND (v.post_id IS NULL OR EXISTS (SELECT 1 FROM {_t(Post)} p WHERE p.id = v.post_id))
  AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
ON CONFLICT DO NOTHING
"""


STORED_COLUMNS = (
    "id",
    "kind",
    "post_id",
    "creator_id",
    "visitor_hash",
    "day",
    "referrer_domain",
    "utm_source",
    "count",
    "created_at",
)


def store_pg(rows: list[tuple]) -> int:
    """PostgreSQL: a batch in one prepared statement (column arrays), skipping events whose post or creator
    is gone and ids already stored, committed asynchronously. `rows` are tuples in STORED_COLUMNS order.
    Returns how many were new."""
    params = {name: [row[i] for row in rows] for i, name in enumerate(STORED_COLUMNS)}
    connection.ensure_connection()
    # psycopg's own cursor: a server-side prepared statement (Django's binds on the client), one round trip.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_store_statement(), params, prepare=True)
        return cursor.rowcount


def lock_aggregation(cursor) -> None:
    """Inside a transaction: wait until no other run (or rebuild) is aggregating (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the write lock)."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def aggregate_pending(*, limit: int = 5000) -> int:
    """One run over at most `limit` pending events (oldest first). Returns how many were aggregated."""
    if connection.vendor == "postgresql":
        return _aggregate_pending_pg(limit)
    with transaction.atomic(), connection.cursor() as cursor:
        lock_aggregation(cursor)
        scope = f"e.id IN (SELECT id FROM {_t(Event)} WHERE NOT aggregated ORDER BY created_at, id LIMIT {int(limit)})"
        done = 0
        for sql in statements(scope):
            cursor.execute(sql)
            done = cursor.rowcount  # the last statement's: the events flagged
        return max(done, 0)


def _aggregate_pending_pg(limit: int) -> int:
    with transaction.atomic():
        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            # The lock first, in its own statement: the run's statement then takes its snapshot after the
            # previous run has committed. A crash may lose the last fraction of a second of analytics (never
            # other data): the commit does not wait for the disk flush.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s), set_config('synchronous_commit', 'off', true)", [LOCK_KEY]
            )
            cursor.execute(_pg_run_statement(), {"limit": limit}, prepare=True)
            return cursor.fetchone()[0]
