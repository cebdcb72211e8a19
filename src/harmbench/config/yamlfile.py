"""Safe YAML reading that remembers where each key was written, so errors can name file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harmbench.errors import ConfigError


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


@dataclass
class YamlFile:
    """Parsed YAML plus the line of every mapping key, addressed by key path."""

    path: Path
    data: Any
    _lines: dict[tuple, int]

    def where(self, *keys: Any) -> str:
        """`file:line` of the deepest key of `keys` that was found (the file alone if none)."""
        for depth in range(len(keys), 0, -1):
            line = self._lines.get(tuple(keys[:depth]))
            if line is not None:
                return f"{self.path}:{line}"
        return str(self.path)


def read_yaml(path: str | Path, *, what: str = "YAML file") -> YamlFile:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{what} {path} does not exist", hint="check the path (see --configs)")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise ConfigError("the file is not valid UTF-8", where=f"{path}:{line}", hint="save it as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = " ".join(p for p in (err.context, err.problem) if p)
        raise ConfigError(f"invalid YAML: {problem}", where=f"{path}{line}",
                          hint="fix the indentation or quoting on that line") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"invalid YAML: {err}", where=str(path)) from None
    lines: dict[tuple, int] = {}
    if root is not None:
        _index(root, (), lines)
    return YamlFile(path, data, lines)


def _index(node: yaml.Node, prefix: tuple, lines: dict[tuple, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = prefix + (_key(key_node),)
            lines[key] = key_node.start_mark.line + 1
            _index(value_node, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[prefix + (i,)] = item.start_mark.line + 1
            _index(item, prefix + (i,), lines)


def _key(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    return node.value if node.tag == "tag:yaml.org,2002:str" else yaml.safe_load(node.value)
