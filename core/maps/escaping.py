"""Escaping for text that reaches a Leaflet map built by folium.

folium writes Popup HTML and Tooltip text into JavaScript template literals (backtick strings),
and Leaflet then parses them as HTML. A partner name therefore has to be safe twice over: as
HTML (no tags, no attribute breaking) and inside a template literal (no backtick to end it, no
``${`` to open an expression, no backslash to escape the next character). Values embedded in our
own JavaScript (constants in a marker callback) go through :func:`js_value` instead.
"""

from __future__ import annotations

import html
import json
from typing import Any

# After html.escape the only characters left that mean something to a template literal are these
# three; as character references they are inert in JavaScript and render as themselves in HTML.
_TEMPLATE_LITERAL_TABLE = str.maketrans({"\\": "&#92;", "`": "&#96;", "$": "&#36;"})

# JSON is valid JavaScript, but "</script>" or "<!--" inside it would end or confuse the script
# element it sits in; U+2028/2029 are handled by ensure_ascii.
_SCRIPT_SAFE_TABLE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def escape_for_map(text: str) -> str:
    """Escape user text for folium Popup/Tooltip HTML that sits in a JS template literal.

    The result contains no ``<``, ``>``, quotes, backticks, ``$`` or backslashes, and ``&`` only
    as the start of a character reference, so the browser shows it as the original text.
    """
    return html.escape(str(text), quote=True).translate(_TEMPLATE_LITERAL_TABLE)


def js_value(value: Any) -> str:
    """A JSON/JavaScript literal that is safe to paste into an inline ``<script>``."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).translate(_SCRIPT_SAFE_TABLE)
