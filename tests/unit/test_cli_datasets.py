"""`aqua-ext datasets validate`: the same preflight as the REST route, in a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aqua_ext.cli import main


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(tmp_path / "data"), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_reports_a_clean_file_and_names_bad_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [{"prompt": f"q{i}", "completion": f"a{i}", "category": "math" if i % 2 else "text"} for i in range(20)]
    (tmp_path / "good.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows + rows[:2]))
    code, out, _ = run(capsys, tmp_path, "datasets", "validate", "good.jsonl", "--validation-split", "0.2")
    assert code == 0
    assert "good.jsonl: 22 instruction rows, 2 duplicates" in out and "categories: math 11, text 11" in out

    code, out, _ = run(capsys, tmp_path, "--json", "datasets", "validate", "good.jsonl")
    report = json.loads(out)
    assert report["rows"] == 22 and report["train_rows"] + report["validation_rows"] == 22

    (tmp_path / "bad.jsonl").write_text('{"prompt": "a", "completion": "b"}\n{oops\n{"prompt": "c"}\n')
    code, _, err = run(capsys, tmp_path, "datasets", "validate", "bad.jsonl")
    assert code == 2
    assert "2 invalid lines" in err and "line 2: invalid JSON" in err and 'line 3: missing key "completion"' in err

    code, _, err = run(capsys, tmp_path, "datasets", "validate", "/etc/passwd")
    assert code == 2 and "path" in err
