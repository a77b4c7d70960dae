"""Text repair: NFC, mojibake repair, control characters removed, and the paragraph layout; nothing else."""

from __future__ import annotations

import re

import ftfy

# ftfy repairs mojibake (`Ã©` -> `é`, C1 controls that are cp1252 read as latin-1, surrogate pairs), removes C0
# controls and terminal escapes, and normalises to NFC. Its folds are off: the stored text keeps the source's curly
# quotes, full-width forms, ligatures and HTML entities, so that it still matches the source (docs/input.md).
_FIXER = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    explain=False,
)
# Unicode space separators (NBSP, narrow NBSP, ideographic space...) and tabs become one plain space.
_SPACES = re.compile(r"[^\S\n]+")
# Invisible characters that only split words for search and matching: zero-width space, word joiner, BOM and soft
# hyphen. ZWJ and ZWNJ stay: they spell Persian, Indic scripts and emoji.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad]")
# C1 controls left after repair (the five that are no cp1252 character, or C1 in UTF-8 text): never text.
_C1 = re.compile(r"[\x80-\x9f]")
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
    text = _C1.sub("", ftfy.fix_text(_INVISIBLE.sub("", text), _FIXER))
    paragraphs = (_SPACES.sub(" ", block.replace("\n", " ")).strip() for block in _BLANK_LINES.split(text))
    return "\n\n".join(p for p in paragraphs if p)
