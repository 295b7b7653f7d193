"""The digest as Markdown, HTML or JSON. Every text from data is escaped for its format: in HTML
with `html.escape` (names, reasons, URLs in attributes), in Markdown with core.text.escape_markdown;
a link's URL is built by the library (account_link), never taken from data."""
from __future__ import annotations

import html
import json

from cs_analytics.core.text import escape_markdown, one_line
from cs_analytics.digest.build import SECTIONS, Digest

FORMATS = ("md", "html", "json")
NOTHING = "Nothing."


def to_markdown(digest: Digest) -> str:
    out = [f"# {escape_markdown(digest.title)}", ""]
    for key, heading in SECTIONS.items():
        lines = digest.sections.get(key, [])
        out += [f"## {heading} ({len(lines)})", ""]
        out += [f"- [{escape_markdown(line.account_name)}]({line.url}) ({escape_markdown(line.account_id)}): "
                f"{escape_markdown(line.text)}" for line in lines] or [NOTHING]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _h(text: object) -> str:
    return html.escape(one_line(text), quote=True)


def to_html(digest: Digest) -> str:
    parts = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">", f"<title>{_h(digest.title)}</title>",
             "</head><body>", f"<h1>{_h(digest.title)}</h1>"]
    for key, heading in SECTIONS.items():
        lines = digest.sections.get(key, [])
        parts.append(f"<h2>{_h(heading)} ({len(lines)})</h2>")
        if not lines:
            parts.append(f"<p>{NOTHING}</p>")
            continue
        parts.append("<ul>")
        parts += [f"<li><a href=\"{_h(line.url)}\">{_h(line.account_name)}</a> ({_h(line.account_id)}): "
                  f"{_h(line.text)}</li>" for line in lines]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def to_dict(digest: Digest) -> dict:
    return {
        "owner": digest.owner, "since": digest.since.isoformat(), "as_of": digest.as_of.isoformat(),
        "app_url": digest.app_url, "title": digest.title,
        "sections": {key: [{"account_id": line.account_id, "account_name": line.account_name,
                            "text": line.text, "url": line.url} for line in digest.sections.get(key, [])]
                     for key in SECTIONS},
    }


def render_digest(digest: Digest, fmt: str = "md") -> str:
    """The digest in `fmt` (md, html or json)."""
    if fmt == "md":
        return to_markdown(digest)
    if fmt == "html":
        return to_html(digest)
    if fmt == "json":
        return json.dumps(to_dict(digest), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"A digest's format is one of {', '.join(FORMATS)}, not {fmt!r}.")
