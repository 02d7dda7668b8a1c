"""The renderers' name for :mod:`dealcheck.escape` (escaping user strings per output target).

The functions live at the bottom of the package, beside :mod:`dealcheck.errors`, because the loader (DC113) and the
diagnostics renderer need them too, and nothing below ``report`` may import from it.
"""

from __future__ import annotations

from dealcheck.escape import UNSAFE, for_html, for_json_text, for_markdown, for_text, markdown_code, unsafe_character

__all__ = ["UNSAFE", "for_html", "for_json_text", "for_markdown", "for_text", "markdown_code", "unsafe_character"]
