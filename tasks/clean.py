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
MAX_PASSES = 4


def clean_text(text: str) -> str:
    """Repaired text: paragraphs joined by exactly one blank line, no other line break, single spaces; idempotent."""
    # One repair can uncover another (a removed soft hyphen joins two halves of a mojibake sequence), so the pass
    # repeats until nothing changes; in practice the second pass confirms the first.
    for _ in range(MAX_PASSES):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def _clean_once(text: str) -> str:
    text = _ZERO_WIDTH.sub("", text)
    text = ftfy.fix_text(text, _FIXER)
    paragraphs = (_SPACES.sub(" ", block.replace("\n", " ")).strip() for block in _BLANK_LINES.split(text))
    return "\n\n".join(p for p in paragraphs if p)
