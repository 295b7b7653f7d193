"""A workspace whose every text field is hostile: markdown, links, images, HTML, formulas,
line breaks and the ' · ' separator, in ids, names, CSM owners, notes, metrics and attribute
headers. Built through the factories (bypassing ingest, which may normalise some of these)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from cs_analytics.reality.flags import flag_account
from factories import build_workspace

EVIL = "evil.example"
SPIKE_ID = "ACME · EU"                 # the Reality spike chooser used to split on " · "
CRLF_ID = "CRMID\r=2+2"                # splits a naive CSV export into two rows
LINK_NAME = f"[**Click here to verify**](https://{EVIL}/login)"
IMAGE_NAME = f"![t](https://{EVIL}/t.png)"
HTML_NAME = f"<a href='https://{EVIL}/a'>html</a><img src='https://{EVIL}/i.png'>"
FORMULA_NAME = f'=HYPERLINK("https://{EVIL}/f","open")'
BARE_URL_NAME = f"Visit https://{EVIL}/bare or www.{EVIL} or mail ceo@{EVIL}"
ATTRIBUTE_HEADER = f"[Tier](https://{EVIL}/attr)"
NOTE = f"Renewal risk, see [the doc](https://{EVIL}/note) ![x](https://{EVIL}/n.png)"
CSM = f"[Casey](https://{EVIL}/csm)"
METRIC = f"<b>logins</b><a href='https://{EVIL}/m'>m</a>"

ACCOUNTS = {  # account_id -> account_name
    SPIKE_ID: LINK_NAME,
    CRLF_ID: "Line one\nLine two\r\n=1+1",
    "ACC-LINK": IMAGE_NAME,
    "ACC-HTML": HTML_NAME,
    "ACC-FORMULA": FORMULA_NAME,
    "ACC-URL": BARE_URL_NAME,
    f"[id](https://{EVIL}/id)": "Plain name",
}
HOSTILE_TEXTS = [SPIKE_ID, LINK_NAME, IMAGE_NAME, HTML_NAME, FORMULA_NAME, BARE_URL_NAME, CSM]

END = dt.date(2024, 3, 31)


def _daily(account: str, start: dt.date, stop: dt.date, value: float) -> pd.DataFrame:
    days = pd.date_range(start, stop, freq="D")
    return pd.DataFrame({"account_id": account, "event_date": days, "value": value, "metric": METRIC})


def build_hostile_workspace(path: Path | str):
    """The hostile workspace at `path` (open; close it before a server uses the file)."""
    ids = list(ACCOUNTS)
    accounts = pd.DataFrame({
        "account_id": ids, "account_name": [ACCOUNTS[a] for a in ids],
        "segment": ["**Enterprise**", "SMB", "SMB", "Mid", "Mid", "SMB", "SMB"],
        "csm_owner": [CSM] * len(ids), "plan": ["pro"] * len(ids),
    })
    contracts = pd.DataFrame({
        # shown as the Account page's contract chart's axis labels: plotly would draw the <a> as a link
        "contract_id": [f"C{i}<b>[c](https://{EVIL}/c)</b><a href='https://{EVIL}/c{i}'>c</a>"
                        for i in range(len(ids))] + ["C-renew"],
        "account_id": ids + [SPIKE_ID],
        "start_date": ["2023-01-01"] * len(ids) + ["2024-04-01"],
        "end_date": [END if a == SPIKE_ID else None for a in ids] + [None],
        "mrr": [100.0 * (i + 1) for i in range(len(ids))] + [150.0],
    })
    usage = [
        # SPIKE_ID: 1/day baseline, 2.5/day in the 60 days before END, 0.5/day after: a flagged spike.
        _daily(SPIKE_ID, END - dt.timedelta(days=239), END - dt.timedelta(days=60), 1.0),
        _daily(SPIKE_ID, END - dt.timedelta(days=59), END, 2.5),
        _daily(SPIKE_ID, END + dt.timedelta(days=1), END + dt.timedelta(days=90), 0.5),
    ]
    usage += [_daily(a, dt.date(2023, 6, 1), dt.date(2024, 6, 29), 1.0 + i) for i, a in enumerate(ids[1:])]
    assessments = pd.DataFrame({
        "account_id": ids, "assessed_at": "2024-06-01",
        "sentiment": ["red", "green", "red", "yellow", "green", "red", "green"],
        "csm": CSM, "reason": [f"[reason](https://{EVIL}/r)"] * len(ids), "note": NOTE,
    })
    ws = build_workspace(path, accounts=accounts, contracts=contracts,
                         usage=pd.concat(usage, ignore_index=True), assessments=assessments)
    with ws.transaction() as cur:
        for i, account in enumerate(ids):
            cur.execute("INSERT INTO account_attributes (account_id, name, value) VALUES (?, ?, ?)",
                        [account, ATTRIBUTE_HEADER, f"[gold{i % 2}](https://{EVIL}/v)"])
    flag_account(ws, SPIKE_ID, reason="champion_left", user=CSM, note=NOTE,
                 review_by=dt.date.today() + dt.timedelta(days=30), sentiment="red")
    _score_the_hostile_metric(ws)
    return ws


def _score_the_hostile_metric(ws) -> None:
    """A measure defined on the hostile metric in the active scorecard: its name and description
    reach the Health page's tabs (the scorecard editor's labels, captions and help)."""
    from cs_analytics.health.definitions import MeasureDefinition
    from cs_analytics.health.scorecard import MeasureSetting, active_scorecard, save_scorecard

    scorecard = active_scorecard(ws)
    scorecard.measures.append(MeasureSetting(
        name="hostile_metric_sum", weight=10.0, direction="higher", normalisation="percentile",
        definition=MeasureDefinition("hostile_metric_sum", "usage", metric=METRIC, aggregation="sum",
                                     window_days=30)))
    save_scorecard(ws, scorecard.validate(), user="tests", change_summary="a measure on the hostile metric")
