"""Text that came from a file or a URL, made safe to show (pure functions, no Streamlit).

Two targets:

- **Markdown** (Streamlit's st.markdown/caption/info/..., widget, metric and expander labels,
  page links): `escape_markdown` turns any text into markdown that renders as exactly that text
  on one line. Every character that can form markdown syntax is backslash-escaped (`\\ ` * [ ] < >
  ! ~ $ : & | # @`, `_` unless inside a word, and any punctuation that starts the text, such as
  `-`, `+`, `=` or the `.` of `1.`), so no link, image, bold, heading, list, table, HTML, LaTeX or
  `:colour[...]` syntax can form; harmless punctuation (`. , ; = / ( ) - ' "`) stays readable. A WORD JOINER
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
MARKDOWN_SPECIAL = frozenset("\\`*[]<>!~$:&|#@{}")  # escaped wherever they are
LEADING_LIST_NUMBER = re.compile(r"\d{1,9}(?=[.)])")  # "1." / "1)" at the start is an ordered list
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
    start = len(text) - len(text.lstrip(" "))
    number = LEADING_LIST_NUMBER.match(text, start)
    syntax_start = number.end() if number else start  # this char could open a block (list, heading, ...)
    return "".join("\\" + ch if _needs_escape(text, i, syntax_start) else ch for i, ch in enumerate(text))


def _needs_escape(text: str, i: int, syntax_start: int) -> bool:
    ch = text[i]
    if ch not in string.punctuation:
        return False
    if ch in MARKDOWN_SPECIAL or i == syntax_start:
        return True
    if ch == "_":  # an underscore inside a word never starts or ends emphasis
        return not (0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum())
    return False


def unescape_markdown(markdown: str) -> str:
    """The text a reader sees for `escape_markdown` output (for tests and round trips)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def escape_plotly(value: object) -> str:
    """Text for a plotly label or hover that shows `value` literally (its HTML subset escaped)."""
    return html.escape(one_line(value), quote=True)
