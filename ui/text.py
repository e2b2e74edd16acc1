"""Text from Stripe, forms and URLs shown as text, never interpreted as Markdown.

Every Streamlit text element (``st.markdown``, ``st.caption``, alerts, toasts,
titles, widget labels and help, metric labels and values, page links) renders
its string as GitHub-flavoured Markdown with Streamlit's extensions: links and
images, literal autolinks (``http://…``, ``www.…``, ``a@b.c``), ``$math$``,
directives (``:red[…]``), emoji and icon shortcodes (``:material/x:``). A name
such as ``[Session expired](http://evil)`` must therefore go through
:func:`plain` before it is put into any of them.

:func:`plain` backslash-escapes the characters that start Markdown syntax
anywhere in a line, and those that start a block at the beginning of a line.
Autolinks and shortcodes are found by Streamlit in the *unescaped* text (a
search over text nodes after parsing), so backslashes cannot stop them: an
invisible WORD JOINER (U+2060) is put after the ``:`` of ``http://`` and of
``:name``, and after ``www``. The text reads exactly as written. E-mail
addresses are left alone (GFM shows them as a ``mailto:`` link whose text is the
address itself), so they stay copyable.

Characters that only matter in some places are escaped only there, so ordinary
text keeps its source (``INV-0042``, ``in_123``, ``Ltd.``): ``_`` inside a word
never emphasises (CommonMark), ``#>+=*-`` and ``1.`` only start a block at the
beginning of a line, ``(`` ``)`` ``!`` only matter after an (escaped) ``[``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WORD_JOINER = "\u2060"

#: characters that start inline syntax wherever they are
_ALWAYS = str.maketrans({c: f"\\{c}" for c in "\\`*{}[]<>|~$&"})
#: ``_`` that is not between two letters or digits (intraword ``_`` is literal)
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
#: a line starting a heading, quote, list, setext underline or ordered list item
_LINE_START = re.compile(r"^([ \t]*)(?:([#>+=*-])|(\d+)([.)]))", re.MULTILINE)
#: ``http://``, ``:red[``, ``:material/x:``, ``:smile:``: break after the colon
_COLON = re.compile(r":(?=[\w/+-])")
_WWW = re.compile(r"(?<![\w.-])(www)(?=\.)", re.IGNORECASE)


def plain(text: object) -> str:
    """``text`` as Markdown that renders exactly as the text (``None`` is "")."""
    if text is None:
        return ""
    value = str(text)
    value = _COLON.sub(":" + WORD_JOINER, value)
    value = _WWW.sub(r"\1" + WORD_JOINER, value)
    value = value.translate(_ALWAYS)
    value = _UNDERSCORE.sub(r"\\_", value)
    return _LINE_START.sub(_escape_line_start, value)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, digits, closer = match.groups()
    if marker is not None:
        return f"{indent}\\{marker}"
    return f"{indent}{digits}\\{closer}"


def https_only(url: str | None) -> str | None:
    """``url`` when it is an absolute https URL, else ``None`` (never link elsewhere)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https" or not parts.hostname:
        return None
    return url.strip()
