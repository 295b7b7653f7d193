"""Text that came from a file or a URL, made safe to show (pure functions, no Streamlit).

Two targets:

- **Markdown** (Streamlit's st.markdown/caption/info/..., widget, metric and expander labels,
  page links): `escape_markdown` turns any text into markdown that renders as exactly that text
  on one line. Every ASCII punctuation character is backslash-escaped (so no link, image, bold,
  heading, list, table, HTML, LaTeX or `:colour[...]` syntax can form) and a WORD JOINER
  (U+2060, invisible) is put after the characters that start a bare-URL, e-mail or `:shortcode:`
  auto-link (`://`, `www.`, `@`, `:x`), because GitHub-flavoured markdown links those even when
  escaped. Line breaks become spaces.
- **Plotly** (hover text, legend names, axis labels, titles, annotations): plotly renders a subset
  of HTML (`<a href>`, `<b>`, `<br>`, ...), so `escape_plotly` HTML-escapes the text; plotly shows
  the entities as the original characters.
"""
from __future__ import annotations

import html
import re
import string

WORD_JOINER = "\u2060"
LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
MARKDOWN_SPECIAL = frozenset(string.punctuation)
# positions after which a word joiner stops GFM auto-links and emoji/icon shortcodes
_AUTOLINK_TRIGGERS = re.compile(r"(?i)(:)(?=[\w/+\-])|(www)(?=\.)|(@)")


def as_text(value: object) -> str:
    """`value` as a string; None and NaN as the empty string."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def one_line(value: object) -> str:
    """`value` as text on one line: every line break (CR, LF, CRLF, Unicode separators) becomes a space."""
    return LINE_BREAKS.sub(" ", as_text(value))


def escape_markdown(value: object) -> str:
    """Markdown that Streamlit renders as exactly `value` (on one line) and never as a link or image."""
    text = _AUTOLINK_TRIGGERS.sub(lambda m: m.group(0) + WORD_JOINER, one_line(value))
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in text)


def unescape_markdown(markdown: str) -> str:
    """The text a reader sees for `escape_markdown` output (for tests and round trips)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def escape_plotly(value: object) -> str:
    """Text for a plotly label or hover that shows `value` literally (its HTML subset escaped)."""
    return html.escape(one_line(value), quote=True)
