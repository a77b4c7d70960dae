"""Bytes to text: reject reasons, decoding and the `date ...` header."""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import chardet
import regex
from chardet.output_names import PREFERRED_SUPERSET

from tasks.records import PartialDate

DEFAULT_MAX_BYTES = 20_000_000

# A header is `date` and a date-like token at the very start; the token is kept even when it is not a valid
# date so that `date 2023-13` is reported rather than read as body text.
_HEADER = re.compile(r"\A\s*date[ \t]+(\d+(?:-\d+)*)(?=\s|\Z)\s*")
_BINARY_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls except tab and line breaks
# Legacy French text is overwhelmingly Windows-1252 (latin-1 takes the five bytes it leaves undefined): when the
# detector rates a Western code page within this share of its best guess, the historic reading wins. Short French
# text often ties with Central European pages that read `à` as `ŕ` (benchmarks/encodings.py measures it).
WESTERN_PRIOR = 0.9
# The confidence chardet gives its own "nothing fits" answer: a guess no more confident than that is not evidence.
NO_ANSWER = 0.10
_WESTERN = frozenset({"cp1252", "iso8859-1", "iso8859-15", "latin-1"})
# A decoding is plausible when this share of its non-ASCII letters is in a script its detected language is written
# in, and at most the other share of its words glue ASCII letters to letters of another script (`Bьrger`), and
# symbols between letters (`zebra³a`) number at most the other share of its non-ASCII letters.
MIN_SCRIPT_SHARE = 0.9
# Characters judged, as the detector reads a window of bytes: a bound on the cost of a 20 MB legacy file.
PLAUSIBILITY_WINDOW = 200_000
# Scripts of the non-Latin languages among those chardet 7 names; every other language it names is written in Latin.
_SCRIPTS = {
    **dict.fromkeys(("ar", "fa", "ur"), frozenset({"ARABIC"})),
    **dict.fromkeys(("be", "bg", "kk", "mk", "ru", "tg", "uk"), frozenset({"CYRILLIC"})),
    "sr": frozenset({"CYRILLIC", "LATIN"}),
    "el": frozenset({"GREEK"}),
    "he": frozenset({"HEBREW"}),
    "ja": frozenset({"HAN", "KANA"}),
    "ko": frozenset({"HANGUL", "HAN"}),
    "zh": frozenset({"HAN"}),
    "th": frozenset({"THAI"}),
}
_LATIN = frozenset({"LATIN"})
# Unicode name prefixes of one script that go by several names.
_SCRIPT_ALIASES = {
    "CJK": "HAN",
    "IDEOGRAPHIC": "HAN",
    "BOPOMOFO": "HAN",
    "HIRAGANA": "KANA",
    "KATAKANA": "KANA",
    "KATAKANA-HIRAGANA": "KANA",
}
_WORD = re.compile(r"[^\W\d_]+")
# A non-ASCII symbol, number or punctuation mark between two letters (`zebra³a`), other than the marks Unicode
# word boundaries allow inside a word (`l’été`, `élu·e·s`, `צה״ל`): the trace of a wrong code page.
_ODD_INSIDE_WORD = regex.compile(
    r"(?<=\p{L})[^\x00-\x7f\p{L}\p{M}\p{Z}\p{Cf}\p{WB=MidLetter}\p{WB=MidNumLet}\p{WB=Single_Quote}"
    r"\p{WB=Double_Quote}](?=\p{L})"
)
# Each paragraph with enough non-ASCII bytes to judge alone is checked against the file's encoding.
_BLOCKS = re.compile(rb"\r?\n[ \t]*\r?\n")
MIN_BLOCK_EVIDENCE = 16
MAX_CHECKED_BLOCKS = 50
_STRAY = re.compile("[\udc80-\udcff]+")
_ASCII = bytes(range(128))
_HEAD_BYTES = 1 << 16
# chardet names the decode-safe superset (cp949 for EUC-KR text); `documents.encoding` names the standard it
# extends when that reads the file alike. cp1252 keeps its name: it is the historic reading of the corpus.
_SUBSET = {
    codecs.lookup(superset).name: subset for subset, superset in PREFERRED_SUPERSET.items() if superset != "cp1252"
} | {"big5hkscs": "big5", "cp932": "shift_jis"}


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, the encoding that produced it, and what an operator should know (None: nothing)."""

    text: str
    encoding: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Header:
    """The header date (None when absent or invalid), its raw token, and the body after it."""

    date: PartialDate | None
    raw: str | None
    problem: str | None
    body: str


class Rejected(Exception):
    """A file that cannot become a document; `reason` is a short stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


def check_size(size: int, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise Rejected for files that are empty or larger than max_bytes."""
    if size == 0:
        raise Rejected("empty", "file has 0 bytes")
    if size > max_bytes:
        raise Rejected("too_large", f"{size} bytes is over the {max_bytes}-byte limit")


def decode(raw: bytes) -> Decoded:
    """Decode by BOM, else UTF-8 (stray legacy bytes read apart), else the first plausible detected encoding."""
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, codec in boms:
        if raw.startswith(bom):
            try:
                return _checked(Decoded(raw.decode(codec), codec))
            except UnicodeDecodeError as exc:
                raise Rejected("undecodable", f"{codec} byte-order mark but invalid {codec}: {exc.reason}") from None
    if b"\x00" in raw:
        raise Rejected("binary", "contains NUL bytes and no UTF-16 byte-order mark")
    try:
        return _checked(Decoded(raw.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    mixed = _mostly_utf8(raw)
    if mixed is not None:
        return _checked(mixed)
    return _checked(_legacy(raw))


def _legacy(raw: bytes, render: Callable[[str], str] | None = None) -> Decoded:
    """The first plausible reading of legacy bytes; `render(encoding)` is the whole text they are part of."""
    read = render or raw.decode
    # The detector answers `no_match_encoding` when nothing fits; UTF-8 already failed, so it is a safe sentinel.
    guesses = chardet.detect_all(
        raw, ignore_threshold=True, prefer_superset=True, compat_names=False, no_match_encoding="utf-8"
    )
    best = guesses[0]
    if best["encoding"] is None:
        raise Rejected("binary", f"not text: the encoding detector reads it as {best['mime_type'] or 'binary data'}")
    found = [(str(g["encoding"]), g["confidence"], g["language"]) for g in guesses if g["encoding"] != "utf-8"]
    # The historic reading goes first when the detector rates it about as well as its best guess, and last after
    # the guesses the detector is more confident in than in its own "nothing fits" answer; guesses below that bar
    # are not tried, since on a few bytes some rare code page always reads them as letters.
    western = next((g for g in found if g[0] in _WESTERN), ("cp1252", 0.0, None))
    top = max((g[1] for g in found), default=0.0)
    confident = [g for g in found if g[1] > NO_ANSWER and g is not western]
    order = [western, *confident] if western[1] >= WESTERN_PRIOR * top else [*confident, western]
    problems = []
    for encoding, _, language in order:
        codec = "cp1252" if encoding in _WESTERN else encoding
        try:
            text = read(codec)
        except (LookupError, UnicodeDecodeError):
            # cp1252 leaves five bytes undefined that latin-1 maps; another guess may fail on bytes past the
            # detector's window.
            if codec != "cp1252":
                continue
            codec = "latin-1"
            text = read(codec)
        problem = implausible(text[:PLAUSIBILITY_WINDOW], language) or (None if render else _mixed(raw, codec))
        if problem is None:
            return Decoded(text, codec if codec in _WESTERN else _narrowest(raw, codec, text, render))
        problems.append(f"{codec} gives {problem}")
    raise Rejected("undecodable", "no plausible encoding: " + "; ".join(problems[:2]))


def _narrowest(raw: bytes, codec: str, text: str, render: Callable[[str], str] | None) -> str:
    """The standard encoding the detector's decode-safe superset stands for, when it reads the bytes alike."""
    name = codecs.lookup(codec).name
    subset = _SUBSET.get(name)
    if subset is None:
        return name
    try:
        same = (render or raw.decode)(subset) == text
    except UnicodeDecodeError:
        same = False
    return codecs.lookup(subset).name if same else name


def _mixed(raw: bytes, encoding: str) -> str | None:
    """Why the paragraphs of raw are not all in `encoding` (one pasted from a file in another script), or None."""
    for i, block in enumerate(_BLOCKS.split(raw)[:MAX_CHECKED_BLOCKS]):
        if len(block.translate(None, _ASCII)) < MIN_BLOCK_EVIDENCE:
            continue
        guess = chardet.detect(block, prefer_superset=True, compat_names=False)
        other = guess["encoding"]
        if other is None or guess["confidence"] <= chardet.MINIMUM_THRESHOLD:
            continue
        try:
            theirs = main_script(block.decode(other))
        except (LookupError, UnicodeDecodeError):
            continue
        # Pages of one script that differ in a few letters (cp1250 and cp1252 on French) are the file's choice.
        ours = main_script(block.decode(encoding))
        if theirs != ours:
            return f"paragraph {i + 1} is {theirs} in {other} (`{guess['language']}`), {ours} in {encoding}"
    return None


def main_script(text: str) -> str | None:
    """The script of most of the non-ASCII letters of text, None when it has none."""
    letters = Counter(script_of(c) for c in text if c.isalpha() and not c.isascii())
    return letters.most_common(1)[0][0] if letters else None


def _utf8_parts(raw: bytes) -> tuple[str, list[str], int, int]:
    """raw with its stray bytes escaped, the stray runs, and the bytes outside and inside valid multi-byte UTF-8."""
    # surrogateescape maps each byte outside a valid UTF-8 sequence to one lone surrogate, which valid UTF-8 never
    # decodes to, so the stray runs are exactly the surrogate runs.
    escaped = raw.decode("utf-8", "surrogateescape")
    runs = _STRAY.findall(escaped)
    stray = sum(map(len, runs))
    return escaped, runs, stray, len(raw.translate(None, _ASCII)) - stray


def _mostly_utf8(raw: bytes) -> Decoded | None:
    """UTF-8 with stray legacy bytes (a line pasted from another editor): UTF-8 kept, the strays detected apart."""
    # A head that is mostly not UTF-8 settles it, without decoding a large legacy file twice.
    if len(raw) > _HEAD_BYTES:
        _, _, head_stray, head_multibyte = _utf8_parts(raw[:_HEAD_BYTES])
        if head_stray and head_multibyte <= head_stray:
            return None
    escaped, runs, stray, multibyte = _utf8_parts(raw)
    if multibyte <= stray:
        return None

    def render(encoding: str) -> str:
        return _STRAY.sub(lambda m: m.group().encode("utf-8", "surrogateescape").decode(encoding), escaped)

    where = f"{stray} bytes in {len(runs)} places"
    try:
        legacy = _legacy(b" ".join(run.encode("utf-8", "surrogateescape") for run in runs), render)
    except Rejected:
        # No reading of the strays is plausible: the UTF-8 text is kept and the strays are marked, not guessed.
        text = _STRAY.sub(lambda m: "\ufffd" * len(m.group()), escaped)
        return Decoded(text, "utf-8", f"not valid UTF-8: {where} in no plausible encoding, replaced by U+FFFD")
    note = f"not valid UTF-8: {where} read as {legacy.encoding}, the rest as UTF-8"
    return Decoded(legacy.text, f"utf-8+{legacy.encoding}", note)


@functools.lru_cache(maxsize=4096)
def script_of(ch: str) -> str:
    """The script a letter belongs to, from the first word of its Unicode name (`CYRILLIC`, `HAN`, `KANA`...)."""
    words = unicodedata.name(ch, "UNKNOWN").split()
    first = words[1] if words[0] in ("FULLWIDTH", "HALFWIDTH") and len(words) > 1 else words[0]
    return _SCRIPT_ALIASES.get(first, first)


def implausible(text: str, language: str | None) -> str | None:
    """Why text is not what `language` written in a legacy encoding looks like, or None when it is."""
    letters = Counter(script_of(c) for c in text if c.isalpha() and not c.isascii())
    total = sum(letters.values())
    if total == 0:
        return None
    expected = _SCRIPTS.get(language, _LATIN) if language else {letters.most_common(1)[0][0]}
    fitting = sum(n for script, n in letters.items() if script in expected)
    if fitting < MIN_SCRIPT_SHARE * total:
        found = ", ".join(f"{script} {n}" for script, n in letters.most_common(3))
        return f"letters in scripts {found}, not the {'/'.join(sorted(expected))} of `{language}`"
    odd = _ODD_INSIDE_WORD.findall(text)
    if len(odd) > 1 and len(odd) > (1 - MIN_SCRIPT_SHARE) * total:
        return f"{len(odd)} symbols inside words (`{''.join(odd[:5])}`)"
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    glued = [w for w in words if any(c.isascii() for c in w) and any(script_of(c) != "LATIN" for c in w)]
    if len(glued) > (1 - MIN_SCRIPT_SHARE) * len(words):
        return f"{len(glued)} of {len(words)} words mixing Latin and other letters (`{glued[0]}`)"
    return None


def _checked(decoded: Decoded) -> Decoded:
    text = decoded.text
    if text:
        controls = len(_CONTROL.findall(text))
        # A stray control character or two is noise that cleaning removes; many of them mean binary data.
        if controls > 3 and controls / len(text) > _BINARY_CONTROL_SHARE:
            raise Rejected("binary", f"{controls} control characters in {len(text)} ({decoded.encoding})")
    return decoded


def split_header(text: str) -> Header:
    """Header date and body; body is text without the header, and text itself when there is none."""
    m = _HEADER.match(text)
    if m is None:
        return Header(None, None, None, text)
    raw = m.group(1)
    body = text[m.end() :]
    try:
        return Header(PartialDate.parse(raw), raw, None, body)
    except ValueError as exc:
        return Header(None, raw, f"header `date {raw}`: {exc}", body)
