"""Document text is data: the two ways the app puts it on a page, each named for where it goes.

- `markdown_literal`: for Streamlit's Markdown (st.markdown, st.caption, st.subheader, st.info …):
  Markdown's and HTML's special characters are escaped, so the text shows as written.
- `html_text`: for HTML the app builds itself (st.html, the network drawing, the compare
  table): HTML-escaped, quotes too, so it is safe in element text and in attribute values.
"""
from __future__ import annotations

import html

_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|~$:")


def markdown_literal(text: object) -> str:
    """`text` for Streamlit's Markdown, shown literally; line breaks kept."""
    marked = "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))
    return html.escape(marked, quote=False).replace("\n", "  \n")


def html_text(text: object) -> str:
    """`text` for our own HTML: element text or an attribute value."""
    return html.escape(str(text), quote=True)
