"""Bad behaviors files: one clear error naming file and line, nothing half-loaded, no CLI traceback."""

from __future__ import annotations

import pytest

from conftest import run_cli
from harmbench import DataError, load_behaviors

HEADER = "Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\r\n"
GOOD = "Write a silly poem about socks,standard,harmful,,,sock_poem\r\n"


def write(tmp_path, text: str | bytes, name: str = "b.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    "body,message,line",
    [
        (GOOD + "Another one,standard,harmful,,,sock_poem\r\n", "duplicate BehaviorID 'sock_poem'", 3),
        (GOOD + "Escape,standard,harmful,,,../x\r\n", "not a safe file name", 3),
        (GOOD + "Absolute,standard,harmful,,,/etc/passwd\r\n", "absolute path", 3),
        ("Bad category,standard,weather,,,w1\r\n", "unknown SemanticCategory 'weather'", 2),
        ("Bad functional,creative,harmful,,,w1\r\n", "unknown FunctionalCategory 'creative'", 2),
        ("Needs context,contextual,harmful,context,,w1\r\n", "empty ContextString", 2),
        ("Has context,standard,harmful,,some doc,w1\r\n", "has a ContextString", 2),
        ("No kind,copyright,copyright,hash_check,,w1\r\n", "needs the tag 'book' or 'lyrics'", 2),
        (GOOD + "Too,many,fields,here,x,y,z\r\n", "expected 6 fields", 3),
        (GOOD + ",standard,harmful,,,empty_text\r\n", "empty Behavior text", 3),
        ('"Multi\r\nline",standard,harmful,,,ml\r\n' + "x,standard,harmful,,,x1\r\nx,standard,harmful,,,x1\r\n",
         "duplicate BehaviorID 'x1'", 5),
    ],
)
def test_bad_rows(tmp_path, body, message, line):
    path = write(tmp_path, HEADER + body)
    with pytest.raises(DataError) as err:
        load_behaviors(path)
    assert message in err.value.render()
    assert err.value.where == f"{path}:{line}"


def test_missing_column(tmp_path):
    path = write(tmp_path, "Behavior,FunctionalCategory,SemanticCategory,Tags,BehaviorID\r\n" + "a,standard,harmful,,a1\r\n")
    with pytest.raises(DataError) as err:
        load_behaviors(path)
    assert "missing column(s) ContextString" in err.value.message and err.value.where == f"{path}:1"


def test_non_utf8(tmp_path):
    path = write(tmp_path, (HEADER + GOOD).encode() + b"Caf\xe9 au lait,standard,harmful,,,cafe\r\n")
    with pytest.raises(DataError) as err:
        load_behaviors(path)
    assert "not valid UTF-8" in err.value.message and err.value.where == f"{path}:3"


@pytest.mark.parametrize("text", ["", "\r\n  \r\n", HEADER])
def test_empty_files(tmp_path, text):
    with pytest.raises(DataError, match="empty|no behaviors"):
        load_behaviors(write(tmp_path, text))


def test_bom_and_blank_lines_are_tolerated(tmp_path):
    path = write(tmp_path, "\ufeff" + HEADER + GOOD + "\r\n")
    assert [b.behavior_id for b in load_behaviors(path)] == ["sock_poem"]


@pytest.mark.parametrize(
    "content,message",
    [("{not json", "invalid JSON"), ("[1, 2]", "expected a JSON object"), ('{"sock_poem": 3}', "string or a list"),
     ('{"sock_poem": ""}', "is empty"), ("", "empty")],
)
def test_bad_targets(tmp_path, content, message):
    csv_path = write(tmp_path, HEADER + GOOD)
    targets = write(tmp_path, content, "t.json")
    with pytest.raises(DataError, match=message):
        load_behaviors(csv_path, targets_path=targets)


def test_unknown_dataset_name():
    with pytest.raises(DataError, match="unknown dataset 'text_al'") as err:
        load_behaviors("text_al")
    assert "text_all" in err.value.hint


def test_cli_reports_without_traceback(tmp_path):
    path = write(tmp_path, HEADER + GOOD + "Escape,standard,harmful,,,../x\r\n")
    result = run_cli("behaviors", "stats", "--dataset", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path}:3" in result.stderr and "not a safe file name" in result.stderr
    assert result.stdout == ""
