"""Exports and text from files: one CSV writer that cannot be split or run, one markdown escape."""
from __future__ import annotations

import csv
import io
import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_analytics.cli.main import render
from cs_analytics.core.export import FORMULA_PREFIXES, neutralise_cell, to_csv_bytes, to_csv_text
from cs_analytics.core.params import parse_non_negative_int
from cs_analytics.core.text import WORD_JOINER, escape_markdown, escape_plotly, unescape_markdown

HOSTILE = ["CRMID\r=2+2", "a\nb", "a\r\nb", '"quoted", comma', "=1+1", "+1", "-1", "@SUM(A1)",
           "\t=1", " =1", "plain", "", "Line\n=cmd|' /C calc'!A0", "＝1+1"]
# text a spreadsheet could evaluate: starts (after spaces) with a trigger
text_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


def _parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _expected(value: str) -> str:
    return str(neutralise_cell(value))


def test_crlf_id_stays_one_row_and_never_starts_a_formula():
    frame = pd.DataFrame({"account_id": HOSTILE, "mrr": range(len(HOSTILE))})
    text = to_csv_text(frame)
    rows = _parse_csv(text)
    assert len(rows) == len(HOSTILE) + 1
    assert [r[0] for r in rows[1:]] == [_expected(v) for v in HOSTILE]
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), dtype=str, keep_default_na=False)
    assert len(back) == len(HOSTILE)
    assert back["account_id"].tolist() == [_expected(v) for v in HOSTILE]
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_PREFIXES), cell


def test_no_physical_line_starts_with_a_formula_outside_quotes():
    """The issue's exact case: the second line of the old export began '=2+2'."""
    text = to_csv_text(pd.DataFrame({"account_id": ["CRMID\r=2+2"], "n": [1]}))
    assert text == 'account_id,n\n"CRMID\r=2+2",1\n'


def test_headers_are_neutralised_too():
    rows = _parse_csv(to_csv_text(pd.DataFrame({"=cmd": ["x"], "@h\nb": ["y"]})))
    assert rows[0] == ["'=cmd", "'@h\nb"]


def test_cli_csv_uses_the_same_writer():
    frame = pd.DataFrame({"account_id": ["CRMID\r=2+2", "ok"], "mrr": [1.5, 2.0]})
    out = render(frame, "csv")
    assert _parse_csv(out) == [["account_id", "mrr"], ["CRMID\r=2+2", "1.5"], ["ok", "2.0"]]


def test_numbers_and_dates_are_written_as_pandas_writes_them():
    frame = pd.DataFrame({"n": [1, -2], "x": [0.5, None], "d": pd.to_datetime(["2024-01-31", "2024-02-29"])})
    assert to_csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(text_values, text_values), min_size=1, max_size=8))
def test_any_text_round_trips_as_one_row_per_record(records):
    frame = pd.DataFrame(records, columns=["id", "name"])
    text = to_csv_text(frame)
    expected = [[_expected(a), _expected(b)] for a, b in records]
    assert _parse_csv(text)[1:] == expected
    back = pd.read_csv(io.StringIO(text, newline=""), dtype=str, keep_default_na=False)
    assert back.values.tolist() == expected
    for row in expected:
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_PREFIXES)


# -- markdown -------------------------------------------------------------------------------------

LINK_SYNTAX = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)<[a-z]|https?://|www\.|(?<!\\)@")


@settings(max_examples=300, deadline=None)
@given(text_values)
def test_escaped_markdown_reads_back_and_has_no_live_syntax(text):
    escaped = escape_markdown(text)
    assert "\n" not in escaped and "\r" not in escaped
    one_line_text = re.sub(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]", " ", text)
    assert unescape_markdown(escaped) == one_line_text.replace(WORD_JOINER, "")  # invisible either way
    # no syntax character is left unescaped; an underscore only inside a word
    rendered = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not re.search(r"[\[\]<>!*`:@#|~$&\\{}]", rendered)
    assert not re.search(r"(?<![^\W_])_|_(?![^\W_])", rendered.replace(WORD_JOINER, " "))
    first = rendered.lstrip(" ")[:1]
    assert first not in set("-+=>#*_.)") or first == "" or not escaped.lstrip(" ").startswith(first)
    assert not LINK_SYNTAX.search(escaped)


def test_the_issue_examples_are_inert():
    for text in ["[**Click here to verify**](https://x.example)", "![t](https://x.example/t.png)",
                 "[Your session expired - log in again](https://evil.example)",
                 "https://evil.example/p", "www.evil.example", "ceo@evil.example", ":material/home: :red[x]"]:
        escaped = escape_markdown(text)
        rendered = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)  # what is left once escapes are taken out
        assert "](" not in rendered and "[" not in rendered and "://" not in escaped and "www." not in escaped
        assert unescape_markdown(escaped) == text
    assert WORD_JOINER in escape_markdown("https://a.example")


def test_plotly_escape_shows_html_as_text():
    assert escape_plotly("<a href='x'>y</a><br>") == "&lt;a href=&#x27;x&#x27;&gt;y&lt;/a&gt;&lt;br&gt;"
    assert escape_plotly("a\nb") == "a b"


# -- URL parameters -------------------------------------------------------------------------------

def test_period_parameter_accepts_ascii_digits_only():
    assert parse_non_negative_int("6") == 6
    assert parse_non_negative_int(" 12 ") == 12
    for bad in ["²", "٣", "-1", "1.5", "", None, "1e3", "99999999999999999999", "６"]:
        assert parse_non_negative_int(bad) is None, bad


# -- plotly ------------------------------------------------------------------------------------------

def _figure_text(fig) -> str:
    """Every string plotly would render as its HTML subset: names, templates, text, custom data shown."""
    return fig.to_json()


def test_charts_escape_data_text():
    import datetime as dt

    import numpy as np

    from cs_analytics.charts.health import contracts_timeline, usage_by_metric_chart
    from cs_analytics.charts.reality import quadrant_chart
    from cs_analytics.charts.retention import km_figure

    evil = "<a href='https://evil.example'>x</a>"
    frame = pd.DataFrame({"account_id": [evil], "account_name": [evil], "quadrant": ["green_but_failing"],
                          "csm_sentiment": ["red"], "band": ["green"], "score": [80.0], "mrr": [10.0]})
    fig = quadrant_chart(frame)
    trace = fig.data[0]
    assert trace.customdata[0][0] == evil  # the raw id stays for selections
    shown = [int(i) for i in re.findall(r"customdata\[(\d+)\]", trace.hovertemplate)]
    assert all("<a" not in str(trace.customdata[0][i]) for i in shown)
    contracts = pd.DataFrame({"contract_id": [evil], "start_date": [dt.date(2024, 1, 1)], "end_date": [None],
                              "mrr": [1.0], "product": ["p"]})
    usage = pd.DataFrame({"month": [dt.date(2024, 1, 1)], "metric": [evil], "value": [1.0]})
    curves = pd.DataFrame({"group": [evil], "month": [0], "survival": [1.0], "ci_lower": [1.0], "ci_upper": [1.0],
                           "at_risk": [np.int64(3)]})
    for figure in (contracts_timeline(contracts, dt.date(2024, 6, 1)), usage_by_metric_chart(usage), km_figure(curves)):
        for t in figure.data:
            for attr in ("name", "hovertemplate", "legendgroup"):
                assert "<a" not in str(getattr(t, attr, "") or ""), (attr, getattr(t, attr))
            assert all("<a" not in str(y) for y in (t.y if t.y is not None and isinstance(t.y[0], str) else []))


def test_every_download_goes_through_the_one_writer():
    """Pages never write CSV themselves: every download is ui.common.download_csv (to_csv_bytes)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in [root / "app.py", *sorted((root / "app_pages").glob("*.py")), *sorted((root / "ui").glob("*.py"))]:
        source = path.read_text()
        assert ".to_csv(" not in source, path
        if path.name != "common.py":
            assert "download_button(" not in source, path
    assert "to_csv_bytes(frame)" in (root / "ui" / "common.py").read_text()


def _reference_csv_text(frame: pd.DataFrame) -> str:
    """The writer before issue 14's fast path: every cell of every column through quote_field."""
    from cs_analytics.core.export import LINE_END, csv_fields, neutralise_formulas, quote_field

    rows = csv_fields(neutralise_formulas(frame))
    return "".join(",".join(quote_field(cell) for cell in row) + LINE_END for row in rows)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(text_values, st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**15, 10**15),
                          st.booleans(), st.datetimes(), st.one_of(st.none(), text_values, st.floats())),
                min_size=0, max_size=12))
def test_fast_export_writes_what_checking_every_cell_writes(records):
    frame = pd.DataFrame(records, columns=["text", "float", "int", "bool", "when", "mixed"])
    frame["category"] = pd.Categorical(frame["text"])
    frame["interval"] = pd.arrays.IntervalArray.from_breaks(range(len(frame) + 1)) if len(frame) else []
    assert to_csv_text(frame) == _reference_csv_text(frame)
