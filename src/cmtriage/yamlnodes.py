"""YAML read as located nodes, so every config mistake can name its file, line and key path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import yaml

from cmtriage.errors import ConfigError

_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return str(value).lower() if isinstance(value, bool) else str(value)


class Node:
    """One YAML value with where it stands: `file:line` and a key path like `members[2].from`."""

    def __init__(self, file: str, node: yaml.Node | None, path: str, line: int | None):
        self.file, self._node, self.path, self.line = file, node, path, line

    # --- errors -------------------------------------------------------------
    def fail(self, message: str) -> NoReturn:
        raise ConfigError(self.file, self.line, self.path, message)

    def expected(self, what: str) -> NoReturn:
        self.fail(f"expected {what}, got {_describe(self.plain())}")

    # --- plain values -------------------------------------------------------
    def plain(self) -> Any:
        if self._node is None:
            return None
        if isinstance(self._node, yaml.ScalarNode):
            return _CONSTRUCTOR.construct_object(self._node)
        if isinstance(self._node, yaml.SequenceNode):
            return list(self.items())
        return dict(self.mapping_nodes())

    def _child(self, node: yaml.Node, path: str) -> Node:
        return Node(self.file, node, path, node.start_mark.line + 1)

    def mapping_nodes(self) -> Iterator[tuple[str, Node]]:
        seen: set[str] = set()
        for key_node, value_node in self._node.value:
            key = str(_CONSTRUCTOR.construct_object(key_node))
            path = f"{self.path}.{key}" if self.path else key
            if key in seen:
                Node(self.file, key_node, path, key_node.start_mark.line + 1).fail("duplicate key")
            seen.add(key)
            yield key, self._child(value_node, path)

    # --- typed readers ------------------------------------------------------
    def is_missing(self) -> bool:
        return self._node is None or (isinstance(self._node, yaml.ScalarNode) and self.plain() is None)

    def mapping(self, known: tuple[str, ...]) -> dict[str, Node]:
        """The keys of a mapping; an unknown key is an error that lists the known ones."""
        if not isinstance(self._node, yaml.MappingNode):
            self.expected("a mapping")
        result: dict[str, Node] = {}
        for key, child in self.mapping_nodes():
            if key not in known:
                child.fail(f"unknown key (known keys: {', '.join(known)})")
            result[key] = child
        return result

    def items(self) -> Iterator[Node]:
        if not isinstance(self._node, yaml.SequenceNode):
            self.expected("a list")
        for index, child in enumerate(self._node.value):
            yield self._child(child, f"{self.path}[{index}]")

    def string(self) -> str:
        value = self.plain()
        if isinstance(value, bool | dict | list) or value is None or isinstance(value, dt.date):
            self.expected("a string")
        text = str(value).strip()
        if not text:
            self.expected("a non-empty string")
        return text

    def strings(self) -> tuple[str, ...]:
        """A list of strings; a lone string is read as a list of one."""
        if isinstance(self._node, yaml.ScalarNode):
            return (self.string(),)
        return tuple(child.string() for child in self.items())

    def integer(self, *, minimum: int = 0) -> int:
        value = self.plain()
        if isinstance(value, bool) or not isinstance(value, int):
            self.expected("a whole number")
        if value < minimum:
            self.fail(f"expected a whole number of at least {minimum}, got {value}")
        return value

    def date(self) -> dt.date:
        value = self.plain()
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.expected("a date like 2026-12-07")

    def url(self) -> str:
        text = self.string().rstrip("/")
        if not text.startswith(("https://", "http://")):
            self.fail(f'expected a URL starting with https://, got "{text}"')
        return text

    def choice(self, choices: tuple[str, ...]) -> str:
        text = self.string()
        if text not in choices:
            self.fail(f'expected one of {" | ".join(choices)}, got "{text}"')
        return text


def load(path: Path) -> Node:
    """The document's root node; a missing file or a YAML syntax error is a ConfigError."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, "", "file not found (use --config-dir or CMTRIAGE_CONFIG_DIR)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, "", f"cannot read: {exc.__class__.__name__}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(name, line, "", f"YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(name, None, "", f"YAML error: {exc}") from None
    return Node(name, root, "", root.start_mark.line + 1 if root is not None else 1)
