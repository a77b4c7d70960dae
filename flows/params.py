"""EtlParams: the one definition of every run parameter, its type, default and help; the CLI is built from it."""

from __future__ import annotations

import argparse
import json
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tasks.models import DEFAULT_NER_MODELS, DetectorName, candidate_languages, ner_package_problem
from tasks.read import DEFAULT_MAX_BYTES
from tasks.store.retention import DEFAULT_KEEP_SNAPSHOTS

ShardSize = Annotated[int, Field(ge=1, le=100_000, description="files per shard task")]
Workers = Annotated[int, Field(ge=1, le=256, description="shard tasks run at once, each in its own process")]
MaxFileBytes = Annotated[int, Field(ge=1, le=2_000_000_000, description="larger input files are rejected")]
LockWait = Annotated[float, Field(ge=0, le=86_400, description="seconds to wait for another run on the same output")]
DaskAddress = Annotated[
    str | None,
    Field(
        pattern=r"^(tcp|tls)://[^\s/]+:\d+$", description="scheduler of an existing Dask cluster, e.g. tcp://host:8786"
    ),
]
MaxPruneShare = Annotated[
    float,
    Field(
        ge=0,
        le=1,
        description="a prune or full refresh that would remove a larger share of the committed documents is refused",
    ),
]
KeepSnapshots = Annotated[
    int, Field(ge=1, le=1000, description="previous snapshots kept, so that the last N commits can be undone")
]
DEFAULT_MAX_PRUNE_SHARE = 0.1
NerModels = Annotated[
    dict[
        Annotated[str, Field(pattern=r"^[a-z]{2,3}$")],
        Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")],
    ],
    Field(description="language code -> installed spaCy pipeline package with `ner`, as JSON"),
]

Languages = Annotated[
    list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] | None,
    Field(
        description="ISO 639-1 codes the detector may answer, comma-separated (default: all 42 of tasks.models."
        "LANGUAGES); fewer load faster, and a text in another language gets the nearest of them or `und`"
    ),
]


class EtlParams(BaseModel):
    """Everything a run may be told; validated before any file is touched."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_dir: Path = Field(description="folder of raw *.txt articles, read recursively")
    output_dir: Path = Field(description="folder of the Parquet tables")
    shard_size: ShardSize = 100
    workers: Workers = 1
    full_refresh: bool = Field(False, description="rebuild every table from the input instead of updating it")
    prune: bool = Field(False, description="remove the rows of files no longer in the input")
    max_file_bytes: MaxFileBytes = DEFAULT_MAX_BYTES
    lock_wait_seconds: LockWait = 0.0
    dask_address: DaskAddress = None
    language_detector: DetectorName = Field("lingua", description="language detector: lingua or langdetect")
    max_prune_share: MaxPruneShare = DEFAULT_MAX_PRUNE_SHARE
    force_prune: bool = Field(
        False, description="remove documents even when the input is empty or the share is above max_prune_share"
    )
    keep_snapshots: KeepSnapshots = DEFAULT_KEEP_SNAPSHOTS
    verify: bool = Field(
        False, description="read and hash every input file, even those whose size and mtime are unchanged"
    )
    ner_models: NerModels = DEFAULT_NER_MODELS
    languages: Languages = None

    @model_validator(mode="after")
    def _folders(self) -> EtlParams:
        if not self.input_dir.is_dir():
            raise ValueError(f"input_dir: {self.input_dir} is not a folder; check the path (is the share mounted?)")
        inp, out = self.input_dir.resolve(), self.output_dir.resolve()
        if out == inp or out.is_relative_to(inp) or inp.is_relative_to(out):
            raise ValueError(f"output_dir: {self.output_dir} must not contain or lie inside input_dir {self.input_dir}")
        if self.languages is not None:
            try:
                candidate_languages(self.languages)
            except ValueError as exc:
                raise ValueError(f"languages: {exc}") from exc
        for language, package in sorted(self.ner_models.items()):
            problem = ner_package_problem(package)
            if problem:
                raise ValueError(f"ner_models: {language}: {problem}")
        return self


# Short spellings kept from the first CLI, beside the ones generated from the field names.
CLI_ALIASES = {"input_dir": "--input", "output_dir": "--output"}


def _json_object(text: str) -> dict[str, Any]:
    """A JSON object from the command line; anything else is refused with argparse's message."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError('expected a JSON object such as \'{"fr": "fr_core_news_md"}\'')
    return value


def _code_list(text: str) -> list[str]:
    """`fr,en, de` -> ["fr", "en", "de"]: the CLI spelling of a list of codes."""
    return [code.strip() for code in text.split(",") if code.strip()]


def _cli_type(annotation: Any) -> Any:
    """The converter argparse applies: the first non-None member of an optional type, JSON for a dict."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if annotation is dict or get_origin(annotation) is dict:
        return _json_object
    if get_origin(annotation) is list:
        return _code_list
    return annotation


def cli_parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """A parser with one option per EtlParams field, its help and default taken from the field."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    for name, info in EtlParams.model_fields.items():
        flags = [f"--{name.replace('_', '-')}", *([CLI_ALIASES[name]] if name in CLI_ALIASES else [])]
        kind = _cli_type(info.annotation)
        help_text = info.description or ""
        if get_origin(kind) is Literal:
            parser.add_argument(*flags, dest=name, choices=get_args(kind), default=info.default, help=help_text)
        elif kind is bool:
            parser.add_argument(*flags, dest=name, action="store_true", help=help_text)
        elif info.is_required():
            parser.add_argument(*flags, dest=name, required=True, type=kind, help=help_text)
        else:
            parser.add_argument(
                *flags,
                dest=name,
                type=kind,
                default=info.default,
                help=f"{help_text} (default: {json.dumps(info.default) if kind is _json_object else info.default})",
            )
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    return parser


def from_cli(ns: argparse.Namespace) -> EtlParams:
    """EtlParams from parsed options; raises pydantic's ValidationError naming the field."""
    return EtlParams(**{name: getattr(ns, name) for name in EtlParams.model_fields})
