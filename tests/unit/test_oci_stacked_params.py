"""The PARAMS of AQUA's stacked deployment (backends/oci/stacked.py): each flag AQUA sets replaces the one the
container's command or the user gave, where it stands, else comes last (AQUA's params dict), never twice."""

from __future__ import annotations

from aqua_ext.backends.oci.stacked import with_flag


def test_a_flag_replaces_its_value_where_it_stands() -> None:
    params = ["--served-model-name", "odsc-llm", "--max-model-len", "4096"]
    assert with_flag(params, "--served-model-name", "base") == [
        "--served-model-name",
        "base",
        "--max-model-len",
        "4096",
    ]
    assert with_flag(["--served-model-name=odsc-llm", "--x"], "--served-model-name", "b") == [
        "--served-model-name",
        "b",
        "--x",
    ]


def test_a_flag_is_appended_once_and_a_bare_flag_keeps_the_next_one() -> None:
    assert with_flag(["--max-model-len", "4096"], "--max-lora-rank", "32") == [
        "--max-model-len",
        "4096",
        "--max-lora-rank",
        "32",
    ]
    assert with_flag(["--enable_lora", "--max-model-len", "8"], "--enable_lora", None) == [
        "--enable_lora",
        "--max-model-len",
        "8",
    ]
    twice = ["--max-lora-rank", "64", "--trust-remote-code", "--max-lora-rank", "16"]
    assert with_flag(twice, "--max-lora-rank", "32") == ["--max-lora-rank", "32", "--trust-remote-code"]
