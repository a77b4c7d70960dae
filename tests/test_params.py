"""EtlParams is the one definition of every parameter: the flow, the CLI and the deployments agree with it."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from flows.news_etl import news_etl
from flows.params import EtlParams, cli_parser, from_cli
from flows.serve import deployments

REPO = Path(__file__).resolve().parents[1]


def test_flow_signature_is_etl_params_field_by_field() -> None:
    signature = inspect.signature(news_etl.fn)
    assert list(signature.parameters) == list(EtlParams.model_fields)
    for name, info in EtlParams.model_fields.items():
        param = signature.parameters[name]
        expected = inspect.Parameter.empty if info.is_required() else info.default
        assert param.default == expected, name
    # The flow's parameter schema carries the same bounds as the model (the server refuses what the model refuses).
    schema = news_etl.parameters.model_dump()["properties"]
    assert schema["shard_size"]["minimum"] == 1 and schema["shard_size"]["maximum"] == 100_000
    assert schema["workers"]["maximum"] == 256


def test_cli_is_generated_from_the_fields(tmp_path: Path) -> None:
    parser = cli_parser("depeche", None)
    (tmp_path / "in").mkdir()
    args = parser.parse_args(["--input", str(tmp_path / "in"), "--output-dir", str(tmp_path / "out"), "--prune"])
    params = from_cli(args)
    assert params == EtlParams(input_dir=tmp_path / "in", output_dir=tmp_path / "out", prune=True)
    text = parser.format_help()
    for name, info in EtlParams.model_fields.items():
        assert f"--{name.replace('_', '-')}" in text
        assert (info.description or "").split()[0] in text, name
    assert "files per shard task (default: 100)" in " ".join(text.split())


def test_deployment_parameters_are_fields_and_serve_reads_prefect_yaml() -> None:
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
    for d in declared:
        for name, value in (d.get("parameters") or {}).items():
            info = EtlParams.model_fields[name]
            TypeAdapter(info.annotation).validate_python(value)
            # Only weekly-verify overrides a default: it sets verify.
            if not info.is_required() and (d["name"], name) != ("weekly-verify", "verify"):
                assert value == info.default, f"{d['name']}.{name} repeats a default with another value"
    served = deployments(timezone="UTC")
    assert [(d["name"], d["parameters"]) for d in served] == [(d["name"], d.get("parameters") or {}) for d in declared]
    assert [str(s.cron) for s in served[0]["schedules"]] == ["0 2 * * *"]


def test_cli_offers_the_detectors_and_refuses_others(tmp_path: Path) -> None:
    parser = cli_parser("depeche", None)
    (tmp_path / "in").mkdir()
    base = ["--input", str(tmp_path / "in"), "--output", str(tmp_path / "out")]
    assert from_cli(parser.parse_args([*base, "--language-detector", "langdetect"])).language_detector == "langdetect"
    assert from_cli(parser.parse_args(base)).language_detector == "lingua"
    with pytest.raises(SystemExit):
        parser.parse_args([*base, "--language-detector", "cld3"])


@pytest.mark.parametrize("flag", ["--shard-size", "--workers"])
def test_cli_refuses_out_of_range_values_by_field_name(flag: str, tmp_path: Path) -> None:
    from flows.news_etl import main

    assert main(["--input", str(tmp_path), "--output", str(tmp_path / "o"), flag, "0"]) == 2
