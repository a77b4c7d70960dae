"""Text repair and whitespace normalisation."""

from __future__ import annotations

import re

import ftfy

# ftfy repairs mojibake (`Ã©` -> `é`), C1 controls, curly quotes, HTML entities and NFC in one well-tested pass.
_FIXER = ftfy.TextFixerConfig(explain=False)
# Unicode space separators (NBSP, narrow NBSP, em space...) and tabs become one plain space; zero-width characters go.
_SPACES = re.compile(r"[^\S\n]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_BLANK_LINES = re.compile(r"\n\s*\n")


def clean_text(text: str) -> str:
    """Repaired text: paragraphs joined by exactly one blank line, no other line break, single spaces; idempotent."""
    text = ftfy.fix_text(text, _FIXER)
    text = _ZERO_WIDTH.sub("", text)
    paragraphs = (_SPACES.sub(" ", block.replace("\n", " ")).strip() for block in _BLANK_LINES.split(text))
    return "\n\n".join(p for p in paragraphs if p)
