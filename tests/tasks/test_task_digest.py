"""The digest: sections against a reference, Markdown/HTML/JSON with hostile names escaped, and
delivery to a local SMTP server (aiosmtpd) and a local webhook (http.server), 127.0.0.1 only."""
from __future__ import annotations

import datetime as dt
import email
import html
import http.server
import json
import re
import socket
import threading

import pandas as pd
import pytest

from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace
from cs_analytics.digest.build import build_digest
from cs_analytics.digest.deliver import load_config
from cs_analytics.digest.render import render_digest
from cs_analytics.health.scoring import score_snapshots
from cs_analytics.reality.flags import flag_account
from cs_analytics.tasks.store import add_task
from factories import build_workspace
from task_data import small_demo, small_demo_path  # noqa: F401 (fixtures)

EVIL_NAME = '<script>alert("x")</script> & [click](https://evil.example)'
EVIL_OWNER = "O'Brien <b>"
EVIL_TITLE = "<img src=x onerror=alert(1)>"
AS_OF = "2026-10-31"


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.duckdb"
    ws = build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ["X<1>", "B"], "account_name": [EVIL_NAME, "Beta"],
                               "csm_owner": [EVIL_OWNER, "Bob"]}),
        contracts=pd.DataFrame({"account_id": ["X<1>", "B"], "start_date": ["2025-01-01"] * 2,
                                "end_date": ["2026-11-30", None], "mrr": [100.0, 50.0]}),
        usage=pd.DataFrame({"account_id": ["X<1>", "B"], "event_date": ["2026-10-01"] * 2}),
    )
    flag_account(ws, "X<1>", reason="champion_left", user=EVIL_OWNER, note=EVIL_TITLE,
                 review_by=dt.date(2026, 10, 5), now=dt.datetime(2026, 10, 1, 9))
    add_task(ws, "X<1>", EVIL_TITLE, "2026-11-01", user="Lead")
    yield path, ws
    close_workspace(path)


def test_digest_of_a_book_in_three_formats_escapes_every_text(hostile):
    _, ws = hostile
    digest = build_digest(ws, "o'brien <B>", dt.date(2026, 10, 1), AS_OF, app_url="https://cs.example.com/")
    assert digest.owner == EVIL_OWNER  # as the accounts spell it
    assert [line.account_id for line in digest.sections["flags_due"]] == ["X<1>"]
    assert [line.text for line in digest.sections["open_tasks"]][0].endswith(EVIL_TITLE)
    assert all(line.url == "https://cs.example.com/account?account=X%3C1%3E"
               for lines in digest.sections.values() for line in lines)
    page = render_digest(digest, "html")
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert html.escape(EVIL_NAME) in page and html.escape(EVIL_TITLE) in page
    assert 'href="https://cs.example.com/account?account=X%3C1%3E"' in page
    text = render_digest(digest, "md")
    assert "[click](https://evil" not in text and not re.search(r"(?<!\\)<(img|script)", text)
    assert "\\<img src=x" in text  # shown literally
    assert "(https://cs.example.com/account?account=X%3C1%3E)" in text
    data = json.loads(render_digest(digest, "json"))
    assert data["sections"]["open_tasks"][0]["account_name"] == EVIL_NAME  # JSON keeps the raw text
    assert set(data["sections"]) == {"turned", "green_but_failing", "flags_due", "renewals_at_risk", "open_tasks"}
    other = build_digest(ws, "Bob", dt.date(2026, 10, 1), AS_OF)
    assert not other.sections["open_tasks"] and not other.sections["flags_due"]


def test_accounts_that_turned_match_a_reference(small_demo):
    as_of = dt.date(2026, 10, 31)
    since = dt.date(2026, 9, 15)
    owner = small_demo.scalar("SELECT min(csm_owner) FROM accounts")
    scores = score_snapshots(small_demo, [since, as_of]).pivot(index="account_id", columns="as_of", values="band")
    scores = scores.dropna()
    book = set(small_demo.query("SELECT account_id FROM accounts WHERE csm_owner = ?", [owner])["account_id"])
    changed = {a for a, r in scores.iterrows() if r.iloc[0] != r.iloc[1] and a in book}
    digest = build_digest(small_demo, owner.lower(), since, as_of)
    assert {line.account_id for line in digest.sections["turned"]} == changed and changed


def test_digest_refuses_a_since_after_the_as_of(hostile):
    with pytest.raises(ValueError, match="--since must be before"):
        build_digest(hostile[1], None, dt.date(2026, 11, 15), AS_OF)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collect:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _webhook():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append((self.headers["Content-Type"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


def test_send_delivers_by_smtp_and_webhook_on_127_0_0_1(hostile, tmp_path, capsys):
    from aiosmtpd.controller import Controller

    path, _ = hostile
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    server, received = _webhook()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[digest]\n"
        'app_url = "http://127.0.0.1:8501"\n'
        f'smtp_host = "127.0.0.1"\nsmtp_port = {controller.port}\n'
        'from = "cs@example.test"\nto = ["lead@example.test", "csm@example.test"]\n'
        f'webhook_url = "http://127.0.0.1:{server.server_address[1]}/hook"\n', encoding="utf-8")
    try:
        code = main(["digest", "--workspace", str(path), "--as-of", AS_OF, "--since", "2026-10-01",
                     "--owner", EVIL_OWNER, "--send", "--secrets", str(secrets), "--format", "html"])
    finally:
        controller.stop()
        server.shutdown()
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "e-mailed to lead@example.test" in out.err and "posted to the webhook (HTTP 200)" in out.err
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert sorted(envelope.rcpt_tos) == ["csm@example.test", "lead@example.test"]
    message = email.message_from_bytes(envelope.content)
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}
    assert "<script>" not in parts["text/html"] and html.escape(EVIL_NAME) in parts["text/html"]
    assert "http://127.0.0.1:8501/account?account=X%3C1%3E" in parts["text/plain"]
    kind, body = received[0]
    assert kind == "application/json" and "Open tasks" in json.loads(body)["text"]
    assert "<script>" not in out.out


def test_send_without_configuration_is_one_clear_error(hostile, tmp_path, capsys):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[other]\nx = 1\n", encoding="utf-8")
    assert load_config(secrets).app_url == "http://localhost:8501"
    code = main(["digest", "--workspace", str(hostile[0]), "--as-of", AS_OF, "--send", "--secrets", str(secrets)])
    assert code == 1 and "Nothing to send with" in capsys.readouterr().err


def test_a_refused_smtp_connection_is_reported(hostile, tmp_path, capsys):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[digest]\nsmtp_host = "127.0.0.1"\nsmtp_port = {_free_port()}\nfrom = "a@b.c"\nto = "d@e.f"\n',
                       encoding="utf-8")
    code = main(["digest", "--workspace", str(hostile[0]), "--as-of", AS_OF, "--send", "--secrets", str(secrets)])
    assert code == 1 and "could not be sent by e-mail" in capsys.readouterr().err


import hostile as hostile_texts  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cs_analytics.digest.build import Digest, DigestLine, account_link  # noqa: E402

_any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(account_id=_any_text, name=_any_text, text=_any_text, owner=_any_text)
@example(account_id=hostile_texts.CRLF_ID, name=hostile_texts.LINK_NAME, text=hostile_texts.HTML_NAME,
         owner=hostile_texts.CSM)
@example(account_id="x", name=hostile_texts.IMAGE_NAME, text=hostile_texts.BARE_URL_NAME, owner="<b>")
def test_no_text_from_data_can_form_a_tag_or_link(account_id, name, text, owner):
    """Whatever the names: the HTML has only the digest's own tags and links, the Markdown only
    the digest's own links, and the JSON gives the text back unchanged."""
    url = account_link("https://cs.example.com", account_id)
    line = DigestLine(account_id, name, text, url)
    digest = Digest(owner, dt.date(2026, 10, 1), dt.date(2026, 10, 31), "https://cs.example.com",
                    {"turned": [line], "open_tasks": [line]})
    page = render_digest(digest, "html")
    tags = re.findall(r"<\s*/?\s*([A-Za-z!][^\s>/]*)", page)
    assert set(tags) <= {"!DOCTYPE", "html", "head", "meta", "title", "body", "h1", "h2", "p", "ul", "li", "a"}
    assert page.count("<a ") == 2 and page.count('href="') == 2
    links = re.findall(r"(?<!\\)\]\((?!https://cs\.example\.com/account\?account=)", render_digest(digest, "md"))
    assert not links
    data = json.loads(render_digest(digest, "json"))
    assert data["sections"]["turned"][0]["account_name"] == name and data["owner"] == owner
