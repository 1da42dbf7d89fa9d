# ruff: noqa: S608  (identifiers come from model metadata; every value is a bound parameter)
"""PostgreSQL fast path for the worker: one event in one statement.

The portable path (services._aggregate) sends six statements per event; here data-modifying
CTEs do the same work — raw insert (skipped when the id is known), unique-visitor dedup,
referrer, post and creator upserts — in one round trip and one transaction, which commits with
`synchronous_commit = off`: a database crash may lose the last fraction of a second of
analytics (never other data), and a commit no longer waits for the disk flush, which is what
caps per-event transactions at a few hundred a second.
"""

from __future__ import annotations

import functools
from typing import Any

import psycopg
from django.db import connection

from analytics.models import (
    CreatorVisitor,
    DailyCreatorReferrer,
    DailyCreatorStats,
    DailyPostStats,
    DailyReferrer,
    Event,
    PostVisitor,
)

POST_COUNTERS = ("views", "comments", "emails_sent", "clicks")
CREATOR_COUNTERS = ("views", "comments", "subscribers_gained", "subscribers_lost", "emails_sent", "clicks")


def _t(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _sets(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}" = t."{c}" + excluded."{c}"' for c in columns)


@functools.cache
def statement() -> str:
    post_values = ", ".join(f"%(p_{c})s::integer" for c in POST_COUNTERS)
    creator_values = ", ".join(f"%(c_{c})s::integer" for c in CREATOR_COUNTERS)
    post_cols = ", ".join(f'"{c}"' for c in POST_COUNTERS)
    creator_cols = ", ".join(f'"{c}"' for c in CREATOR_COUNTERS)
    return f"""
WITH ev AS (
  INSERT INTO {_t(Event)} ("id", "kind", "post_id", "creator_id", "visitor_hash", "day", "referrer_domain",
                           "utm_source", "count", "created_at")
  VALUES (%(id)s::uuid, %(kind)s::varchar, %(post)s::uuid, %(creator)s::uuid, %(visitor_hash)s::varchar,
          %(day)s::date, %(referrer_domain)s::varchar, %(utm_source)s::varchar, %(count)s::integer,
          %(created_at)s::timestamptz)
  ON CONFLICT DO NOTHING RETURNING 1
), pv AS (
  INSERT INTO {_t(PostVisitor)} ("post_id", "day", "visitor_hash")
  SELECT %(post)s::uuid, %(day)s::date, %(visitor_hash)s::varchar FROM ev WHERE %(is_view)s::boolean
  ON CONFLICT DO NOTHING RETURNING 1
), cv AS (
  INSERT INTO {_t(CreatorVisitor)} ("creator_id", "day", "visitor_hash")
  SELECT %(creator)s::uuid, %(day)s::date, %(visitor_hash)s::varchar FROM ev WHERE %(is_view)s::boolean
  ON CONFLICT DO NOTHING RETURNING 1
), ref AS (
  INSERT INTO {_t(DailyReferrer)} AS t ("post_id", "creator_id", "day", "domain", "count")
  SELECT %(post)s::uuid, %(creator)s::uuid, %(day)s::date, %(referrer_domain)s::varchar, 1
  FROM ev WHERE %(is_view)s::boolean
  ON CONFLICT ("post_id", "day", "domain") DO UPDATE SET "count" = t."count" + 1
), cref AS (
  INSERT INTO {_t(DailyCreatorReferrer)} AS t ("creator_id", "day", "domain", "count")
  SELECT %(creator)s::uuid, %(day)s::date, %(referrer_domain)s::varchar, 1
  FROM ev WHERE %(is_view)s::boolean
  ON CONFLICT ("creator_id", "day", "domain") DO UPDATE SET "count" = t."count" + 1
), ps AS (
  INSERT INTO {_t(DailyPostStats)} AS t ("post_id", "creator_id", "day", "unique_visitors", {post_cols})
  SELECT %(post)s::uuid, %(creator)s::uuid, %(day)s::date, (SELECT count(*) FROM pv), {post_values}
  FROM ev WHERE %(has_post)s::boolean
  ON CONFLICT ("post_id", "day") DO UPDATE SET {_sets(("unique_visitors", *POST_COUNTERS))}
), cs AS (
  INSERT INTO {_t(DailyCreatorStats)} AS t ("creator_id", "day", "unique_visitors", {creator_cols})
  SELECT %(creator)s::uuid, %(day)s::date, (SELECT count(*) FROM cv), {creator_values} FROM ev
  ON CONFLICT ("creator_id", "day") DO UPDATE SET {_sets(("unique_visitors", *CREATOR_COUNTERS))}
)
SELECT count(*) FROM ev WHERE (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
"""


def process_event(*, event: dict[str, Any], post_incs: dict[str, int], creator_incs: dict[str, int]) -> bool:
    params = {
        **event,
        "is_view": event["kind"] == "view",
        "has_post": event["post"] is not None and bool(post_incs),
        **{f"p_{c}": post_incs.get(c, 0) for c in POST_COUNTERS},
        **{f"c_{c}": creator_incs.get(c, 0) for c in CREATOR_COUNTERS},
    }
    # One statement is one transaction (autocommit): one round trip; `set_config(..., true)` makes
    # this transaction's commit asynchronous. A server-side prepared statement (psycopg's own
    # cursor, not Django's client-side one) saves planning six CTEs on every event.
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement(), params, prepare=True)
        return cursor.fetchone()[0] == 1
