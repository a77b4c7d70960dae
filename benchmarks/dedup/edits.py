"""Controlled edits of an article: each makes a near-duplicate copy (or a heavy rewrite that is not one)."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Sequence

from tasks import dedup

# An edit that drops, replaces or adds one unit is small only if that unit is a small share of the article.
MAX_UNIT_SHARE = 0.25
# A title or a lead sentence; OCR text without sentence ends would otherwise make a whole page its first line.
FIRST_LINE_WORDS = 40
TITLE_WORDS = 15
TRUNCATE_SHARE = 0.8
TYPOS = 3
DONOR_TRIES = 20

Paragraphs = tuple[str, ...]
Edit = Callable[[Paragraphs, random.Random, Paragraphs], Paragraphs | None]

_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][»\"”)])|(?<=[.!?…][ \u00a0]»))\s+(?=[^\s»”)])")
_LETTER_WORD = re.compile(r"[^\W\d_]{4,}")


# --------------------------------------------------------------------------------------------------- edits


def sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, split after . ! ? … (and a closing quote); joined by spaces: the text."""
    return [s for s in _SENTENCE_END.split(paragraph) if s]


def word_count(paragraphs: Sequence[str]) -> int:
    """Whitespace-separated tokens, the unit of edit sizes."""
    return sum(len(p.split()) for p in paragraphs)


def _clip(text: str, words: int) -> str:
    return " ".join(text.split()[: max(1, words)])


def change_first_line(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """The first line (first sentence, at most FIRST_LINE_WORDS words) replaced by the donor's; None when
    it holds over MAX_UNIT_SHARE of the words (the article is little more than its first line)."""
    words = paras[0].split()
    cut = min(len(sentences(paras[0])[0].split()), FIRST_LINE_WORDS)
    if cut > MAX_UNIT_SHARE * word_count(paras):
        return None
    new = _clip(sentences(donor[0])[0], FIRST_LINE_WORDS)
    return (" ".join([new, *words[cut:]]), *paras[1:])


def replace_sentence(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """One sentence but the first, of at most MAX_UNIT_SHARE of the words, replaced by a donor's."""
    total = word_count(paras)
    spots = [
        (i, j)
        for i, p in enumerate(paras)
        for j, s in enumerate(sentences(p))
        if (i, j) != (0, 0) and len(s.split()) <= MAX_UNIT_SHARE * total
    ]
    pool = [s for p in donor for s in sentences(p) if len(s.split()) <= MAX_UNIT_SHARE * total]
    if not spots or not pool:
        return None
    i, j = rng.choice(spots)
    parts = sentences(paras[i])
    parts[j] = rng.choice(pool)
    return (*paras[:i], " ".join(parts), *paras[i + 1 :])


def drop_paragraph(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """One paragraph of at most MAX_UNIT_SHARE of the words removed; needs three paragraphs or more."""
    total = word_count(paras)
    spots = [i for i, p in enumerate(paras) if len(p.split()) <= MAX_UNIT_SHARE * total]
    if len(paras) < 3 or not spots:
        return None
    i = rng.choice(spots)
    return (*paras[:i], *paras[i + 1 :])


def add_paragraph(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """A donor paragraph, clipped to MAX_UNIT_SHARE of the article's words, inserted after the first."""
    extra = _clip(rng.choice(donor), int(MAX_UNIT_SHARE * word_count(paras)))
    i = rng.randint(1, len(paras))
    return (*paras[:i], extra, *paras[i:])


BOILERPLATE = (
    "Lire aussi : {title}",
    "À lire aussi - {title}",
    "© {agency} {year}. Tous droits réservés. Reproduction interdite sans autorisation.",
    "(Avec {agency})",
    "Cet article a été mis à jour le {day} {month} {year} à {hour} h {minute}.",
    "Source : {agency}. Vous pouvez retrouver tous nos articles sur notre site et nos réseaux sociaux.",
)
_AGENCIES = ("AFP", "Reuters", "AP", "Belga", "ATS", "dpa")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre")


def append_boilerplate(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """A "Lire aussi" (with the donor's title), copyright, agency or update line appended as a paragraph."""
    line = rng.choice(BOILERPLATE).format(
        title=_clip(sentences(donor[0])[0], TITLE_WORDS),
        agency=rng.choice(_AGENCIES),
        year=rng.randint(1995, 2025),
        day=rng.randint(1, 28),
        month=rng.choice(_MONTHS),
        hour=rng.randint(0, 23),
        minute=f"{rng.randint(0, 59):02d}",
    )
    return (*paras, line)


_QUOTES = (("«\u00a0", "\u00a0»"), ("“", "”"), ('"', '"'))


def _retype(paragraph: str, rng: random.Random) -> str:
    open_q, close_q = rng.choice(_QUOTES)
    quotes = itertools.cycle((open_q, close_q))
    text = re.sub(r"«\s*|\s*»|[“”\"]", lambda m: next(quotes), paragraph)
    text = text.replace("'", "\u2019") if "'" in text else text.replace("\u2019", "'")
    text = text.replace(", ", " ; ", 1).replace("...", "…").replace(" - ", " – ")
    return text.replace(" :", ":") if " :" in text else text.replace(":", " :")


def _typo(word: str, rng: random.Random) -> str:
    """One letter swapped with its neighbour, dropped or doubled, so that the normalised word changes."""
    swaps = [i for i in range(1, len(word) - 2) if dedup.normalize(word[i]) != dedup.normalize(word[i + 1])]
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap" and swaps:
        i = rng.choice(swaps)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if kind == "drop" else word[: i + 1] + word[i:]


def typography(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """Quotes, apostrophes, some punctuation and the title's case changed; TYPOS typos in distinct words."""
    out = [_retype(p, rng) for p in paras]
    out[0] = out[0].upper() if rng.random() < 0.5 else out[0].lower()
    spots = [(i, m.start(), m.end()) for i, p in enumerate(out) for m in _LETTER_WORD.finditer(p)]
    if len(spots) < TYPOS:
        return None
    # Right to left within a paragraph, so that earlier offsets stay valid after a drop or a double.
    for i, start, end in sorted(rng.sample(spots, TYPOS), key=lambda s: (s[0], -s[1])):
        out[i] = out[i][:start] + _typo(out[i][start:end], rng) + out[i][end:]
    return tuple(out)


def split_at_words(paras: Paragraphs, keep: int) -> tuple[Paragraphs, Paragraphs]:
    """(the first `keep` words, the rest), both as paragraphs; a paragraph cut in two stays in both halves."""
    head: list[str] = []
    tail: list[str] = []
    left = keep
    for p in paras:
        words = p.split()
        if left >= len(words):
            head.append(p)
        elif left <= 0:
            tail.append(p)
        else:
            head.append(" ".join(words[:left]))
            tail.append(" ".join(words[left:]))
        left -= len(words)
    return tuple(head), tuple(tail)


def truncate(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """The first TRUNCATE_SHARE of the words, cut at a word boundary (a page cut short by the extractor)."""
    return split_at_words(paras, round(TRUNCATE_SHARE * word_count(paras)))[0]


EDITS: dict[str, Edit] = {
    "first_line": change_first_line,
    "sentence": replace_sentence,
    "drop_paragraph": drop_paragraph,
    "add_paragraph": add_paragraph,
    "boilerplate": append_boilerplate,
    "typography": typography,
    "truncate": truncate,
}


def combined(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """Two distinct single edits, one after the other; None when no two apply."""
    names = rng.sample(sorted(EDITS), len(EDITS))
    done = 0
    for name in names:
        edited = EDITS[name](paras, rng, donor)
        if edited is not None:
            paras, done = edited, done + 1
            if done == 2:
                return paras
    return None


POSITIVE_EDITS: dict[str, Edit] = {**EDITS, "combined": combined}


def half_swap(paras: Paragraphs, rng: random.Random, donor: Paragraphs) -> Paragraphs | None:
    """Heavy rewrite: the first half of the article's words, then as many from the donor's second half on.

    The replaced half is as long as the kept one, so the copy is half the original whatever the donor's
    length; None when the donor is too short to fill it."""
    total = word_count(paras)
    keep = total // 2
    rest = [w for p in donor for w in p.split()]
    if len(rest) < total - keep or keep == 0:
        return None
    start = min(len(rest) // 2, len(rest) - (total - keep))
    return (*split_at_words(paras, keep)[0], " ".join(rest[start : start + total - keep]))


NEGATIVE_EDITS: dict[str, Edit] = {"half_swap": half_swap}
