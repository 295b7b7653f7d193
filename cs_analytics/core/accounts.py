"""Account look-ups shared by pages and the CLI."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


def account_choices(ws: "Workspace", account_filter: AccountFilter = NO_FILTER) -> pd.DataFrame:
    """account_id, name, is_customer (MRR > 0 in the last complete month) of the filtered accounts,
    current customers first, then by id, so a default choice is an account with a score."""
    sub_sql, params = account_filter.subquery()
    return ws.query(
        f"""
        SELECT a.account_id,
               coalesce(a.account_name, a.account_id) AS name,
               coalesce(m.is_customer, FALSE) AS is_customer
        FROM accounts a
        LEFT JOIN account_month m
               ON m.account_id = a.account_id
              AND m.month = (SELECT max(month) FROM account_month
                             WHERE last_day(month) <= (
                                 SELECT CAST(coalesce(max(value) FILTER (WHERE key = 'built_as_of'),
                                                      max(value) FILTER (WHERE key = 'as_of')) AS DATE)
                                 FROM workspace_info))
        WHERE a.account_id IN ({sub_sql})
        ORDER BY is_customer DESC, a.account_id
        """,
        params,
    )
