"""Language identification of documents and paragraphs, each judged on its own words (ISO 639-1, or 'und')."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tasks.records import UNDETERMINED

# Ranked (ISO 639-1 code, probability), best first; empty when the text holds nothing to judge.
Ranked = list[tuple[str, float]]
# text -> its ranking among the detector's languages.
Detector = Callable[[str], Ranked]

# Language evidence saturates within a few hundred characters; reading only the head of long paragraphs
# caps the cost per paragraph without changing the answer (French news mix: 97.9 % fr either way).
SAMPLE_CHARS = 300
# lingua reads a text of 120 letters or more with trigrams only, a shorter one with 1- to 5-grams at 2-3x the
# cost; past that bar its cost grows with the length (a head of 125 letters: ~1.0 ms against ~1.5 ms for a
# 300-character sample). The head is read first, the whole sample only when the head is not conclusive.
HEAD_LETTERS = 125
# One or two words are too short to judge unless the top language outweighs all the others together.
SHORT_TEXT_WORDS = 2
MIN_SHORT_CONFIDENCE = 0.5
# Longer texts are answered unless the evidence is spread over several languages.
MIN_CONFIDENCE = 0.2
# A paragraph leaves its document's language only on strong evidence of its own.
MIN_OVERRIDE_CONFIDENCE = 0.8
# Han characters are shared: a paragraph without kana in a Japanese document is no evidence of Chinese.
_NO_OVERRIDE = frozenset({("ja", "zh")})
# Once one paragraph has settled the document's language, the others are read first against a short list:
# the main Latin-script languages of European news and their close relatives, 12 candidates instead of 26,
# 2.5-4x cheaper per call. A paragraph is read again against every language when the short list does not
# place it confidently in the settled language, or when it holds a letter outside the short list's
# alphabets (Czech, Polish, Romanian, Turkish, Vietnamese ... and every other script). Hungarian and Finnish
# are on the list though rarely met: their letters mostly pass that test, and without them the list took
# Hungarian sentences for Spanish or Dutch with certainty. Estonian, Irish, Basque and Indonesian also pass
# it and are not on the list: untested. On the 2,000-article benchmark corpus this halves the language
# stage's CPU time and every paragraph and document keeps the language that reading each paragraph against
# every language gives; the short list is more confident than the full one on some short paragraphs
# (a score 0.06-0.12 higher on 12 of 13,716 paragraphs).
CHECK_AMONG = frozenset("fr en de es it pt nl ca da sv hu fi".split())
_CHECK_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæßáíóúñìòãõøåĳ")
# Below this confidence among the short list, a paragraph is read again against every language; 0.5 saved no
# time on the corpus and changed the language of 5 paragraphs.
MIN_CHECK_CONFIDENCE = 0.9

_WORD = re.compile(r"[^\W\d_]+")
# Scripts written without spaces: every character is a word's worth of evidence.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """A language code (ISO 639-1, or 'und') and the detector's confidence in it (0..1); 'und' scores 0."""

    language: str
    score: float


NO_GUESS = LanguageGuess(UNDETERMINED, 0.0)


@dataclass(frozen=True, slots=True)
class NarrowingDetector:
    """A detector over all its languages that can also rank a text among a subset of them only."""

    detect: Detector
    among: Callable[[frozenset[str]], Detector]

    def __call__(self, text: str) -> Ranked:
        return self.detect(text)


def adapt_langdetect(probabilities: Callable[[str], Sequence[tuple[str, float]]], digits: int) -> Detector:
    """A Detector over langdetect's (code, probability) pairs: codes cut to ISO 639-1 (`zh-cn`, `zh-tw` -> `zh`,
    their probabilities added), rounded to `digits`, best first with ties broken by code."""

    def detect(text: str) -> Ranked:
        totals: dict[str, float] = {}
        for code, probability in probabilities(text):
            primary = code.split("-")[0].lower()
            totals[primary] = totals.get(primary, 0.0) + probability
        ranked = [(code, round(p, digits)) for code, p in totals.items()]
        return sorted(((code, p) for code, p in ranked if p > 0.0), key=lambda item: (-item[1], item[0]))

    return detect


def detect_language(text: str, detector: Detector) -> LanguageGuess:
    """The text's language, or 'und' when it holds no words or the evidence is too weak for its length."""
    sample = _sample(text)
    words = _count_words(sample)
    return _decide(_read(sample, detector) if words else [], words)


def assign_languages(paragraphs: Sequence[str], detector: Detector) -> tuple[LanguageGuess, list[LanguageGuess]]:
    """(document guess, one guess per paragraph); a paragraph keeps its own language only when confident."""
    narrow = detector.among if isinstance(detector, NarrowingDetector) else None
    samples = [_sample(paragraph) for paragraph in paragraphs]
    counts = [_count_words(sample) for sample in samples]
    rankings: list[Ranked] = [[] for _ in paragraphs]
    # Paragraphs long enough for a conclusive head go first, so that one of them settles the document's
    # language and the titles and short lines around it are only checked.
    order = sorted((i for i, n in enumerate(counts) if n), key=lambda i: _head(samples[i]) == samples[i])
    settled: str | None = None
    check: Detector | None = None
    for i in order:
        if check is not None and _checkable(samples[i]):
            rankings[i] = _check(samples[i], settled, check)
        if not rankings[i]:
            rankings[i] = _read(samples[i], detector)
            if narrow is not None and check is None and _settles(rankings[i]):
                settled, check = rankings[i][0][0], narrow(CHECK_AMONG)
    evidence = [
        # Longer paragraphs are more of the document: weigh each by its letters, not by its sample.
        (r, n, sum(ch.isalpha() for ch in paragraph) if r else 0)
        for paragraph, r, n in zip(paragraphs, rankings, counts, strict=True)
    ]
    total_weight = sum(weight for _, _, weight in evidence)
    totals: dict[str, float] = {}
    for ranked, _, weight in evidence:
        # Normalising the weight first keeps a one-paragraph document's scores exactly its paragraph's.
        share = weight / total_weight if total_weight else 0.0
        for code, probability in ranked:
            totals[code] = totals.get(code, 0.0) + share * probability
    ranked_document = sorted(totals.items(), key=lambda item: -item[1])
    total_words = sum(words for _, words, _ in evidence)
    document = _decide(ranked_document, total_words)
    guesses = []
    for ranked, words, _ in evidence:
        own = _decide(ranked, words)
        confident = (
            own.language != UNDETERMINED
            and own.score >= MIN_OVERRIDE_CONFIDENCE
            and (document.language, own.language) not in _NO_OVERRIDE
        )
        if own.language == document.language or confident:
            guesses.append(own)
        else:
            # Inherited: the document's score is the confidence behind this paragraph's language.
            guesses.append(document)
    return document, guesses


def _read(sample: str, detector: Detector) -> Ranked:
    """The sample's ranking: from its head when that is conclusive, else from the whole sample."""
    head = _head(sample)
    if head != sample:
        ranked = detector(head)
        if _conclusive(ranked):
            return ranked
    return detector(sample)


def _check(sample: str, settled: str | None, check: Detector) -> Ranked:
    """The ranking among the short list when it places the sample in the settled language, else []."""
    ranked = check(_head(sample))
    if ranked and ranked[0][0] == settled and ranked[0][1] >= MIN_CHECK_CONFIDENCE:
        return ranked
    return []


def _checkable(sample: str) -> bool:
    """Every letter of the sample belongs to the alphabets of the short list's languages."""
    return _CHECK_LETTERS.issuperset(ch for ch in sample.lower() if ch.isalpha())


def _settles(ranked: Ranked) -> bool:
    """The top language is one the short list can check, and confident enough to be worth checking."""
    return bool(ranked) and ranked[0][0] in CHECK_AMONG and ranked[0][1] >= MIN_CHECK_CONFIDENCE


def _conclusive(ranked: Ranked) -> bool:
    """The top language takes all the probability (to the detector's rounding)."""
    return bool(ranked) and ranked[0][1] >= 1.0


def _decide(ranked: Sequence[tuple[str, float]], words: int) -> LanguageGuess:
    """The top language when its probability clears the bar for a text of this many words, else 'und'."""
    if not ranked:
        return NO_GUESS
    code, probability = ranked[0]
    needed = MIN_SHORT_CONFIDENCE if words <= SHORT_TEXT_WORDS else MIN_CONFIDENCE
    if probability < needed:
        return NO_GUESS
    return LanguageGuess(code, min(1.0, max(0.0, float(probability))))


def _count_words(text: str) -> int:
    """Runs of letters, counting each character of a script written without spaces as a word."""
    return len(_WORD.findall(_UNSPACED.sub(" ", text))) + len(_UNSPACED.findall(text))


def _sample(text: str) -> str:
    """The head of the text, at most SAMPLE_CHARS long, cut at a space when one is near the limit."""
    if len(text) <= SAMPLE_CHARS:
        return text
    cut = text.rfind(" ", SAMPLE_CHARS // 2, SAMPLE_CHARS)
    return text[: cut if cut > 0 else SAMPLE_CHARS]


def _head(sample: str) -> str:
    """The sample up to the end of the word that brings it to HEAD_LETTERS letters; all of it if shorter."""
    letters = 0
    for match in _WORD.finditer(sample):
        letters += match.end() - match.start()
        if letters >= HEAD_LETTERS:
            return sample[: match.end()]
    return sample
