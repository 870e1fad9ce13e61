"""YAML read as located nodes, so every config mistake can name its file, line and key path.

The typed readers below look at the YAML node, not at what PyYAML would construct from it: a name
written `007` or a version written `11.10` is the text the user typed, not the number 7 or 11.1.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import yaml

from cmtriage.errors import ConfigError

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[-+]?(?:0b[01]+|0x[0-9a-fA-F]+|0[0-7]+|[1-9][0-9]*(?::[0-5]?[0-9])*|0)$")
MAX_BYTES = 1_000_000  # a config file is a few KB; past this it is not one (a log, /dev/zero)
_QUOTE_LIMIT = 60  # longer values are cut in messages: the line number already says where they are
# PyYAML composes nested lists and mappings by recursion, so a file of 2000 `[` would end in a
# RecursionError; no config of ours nests past 5.
MAX_DEPTH = 50


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _Loader(yaml.SafeLoader):
    """A SafeLoader that places each alias (`*name`) where it is used, not where its anchor is, and
    stops at MAX_DEPTH levels of nesting."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if not self.check_event(yaml.AliasEvent):
            if self._depth >= MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        mark = self.peek_event().start_mark
        node = copy.copy(super().compose_node(parent, index))
        node.start_mark = mark
        node.is_alias = True
        return node


def quoted(text: str) -> str:
    """A value of the user's, quoted for a message: JSON escapes keep control characters off the terminal."""
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


class Node:
    """One YAML value with where it stands: `file:line` and a key path like `members[2].from`.

    `line` is 1-based; a mapping's value stands on the line of its key."""

    def __init__(self, file: str, node: yaml.Node | None, path: str, line: int, *, in_alias: bool = False):
        self.file, self._node, self.path, self.line = file, node, path, line
        self._in_alias = in_alias

    def _at(self, node: yaml.Node, path: str, line: int) -> Node:
        """A node below this one. Below an alias every line is the alias's: the user wrote the value there."""
        if self._in_alias:
            line = self.line
        in_alias = self._in_alias or getattr(node, "is_alias", False)
        return Node(self.file, node, path, line, in_alias=in_alias)

    # --- errors -------------------------------------------------------------
    def fail(self, message: str) -> NoReturn:
        raise ConfigError(self.file, self.line, self.path, message)

    def expected(self, what: str) -> NoReturn:
        self.fail(f"expected {what}, got {self.describe()}")

    def missing(self, key: str, what: str) -> NoReturn:
        """A required key of this mapping is absent: the error names the key's full path."""
        Node(self.file, None, self._join(key), self.line).fail(f"missing; expected {what}")

    def describe(self) -> str:
        """What the user wrote, for an error message: `"next week"`, `5`, `a list`, `nothing`."""
        node = self._node
        if node is None:
            return "an empty file" if not self.path else "nothing"
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list" if node.value else "an empty list"
        if self._tag() == "null":
            return "nothing"
        if self._tag() in ("int", "float", "bool", "timestamp"):
            text = node.value  # as written: 7.5, yes, 2026-13-01
            return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"
        return quoted(node.value)

    # --- structure ----------------------------------------------------------
    def _tag(self) -> str:
        return self._node.tag.removeprefix(_TAG)

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def mapping_nodes(self) -> Iterator[tuple[str, Node]]:
        """The (key, value) pairs of a mapping, in file order; a key written twice is an error."""
        if not isinstance(self._node, yaml.MappingNode):
            self.expected("a mapping")
        first_line: dict[str, int] = {}
        for key_node, value_node in self._node.value:
            line = key_node.start_mark.line + 1  # PyYAML's marks count from 0
            key = self._at(key_node, self.path, line)
            if not isinstance(key_node, yaml.ScalarNode):
                key.expected("a key name")
            name = key_node.value
            if name in first_line:
                self._at(key_node, self._join(name), line).fail(
                    f"duplicate key (first on line {first_line[name]})")
            first_line[name] = line
            yield name, self._at(value_node, self._join(name), line)

    def mapping(self, known: tuple[str, ...]) -> dict[str, Node]:
        """The keys of a mapping; an unknown key is an error that lists the known ones."""
        if not isinstance(self._node, yaml.MappingNode):
            self.expected(f"a mapping with the keys {', '.join(known)}")
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
            yield self._at(child, f"{self.path}[{index}]", child.start_mark.line + 1)

    # --- typed readers ------------------------------------------------------
    def string(self) -> str:
        """The text as written, numbers included (a version `11.10` stays "11.10"), without control
        characters (so none reaches a terminal from here)."""
        if not isinstance(self._node, yaml.ScalarNode) or self._tag() not in ("str", "int", "float"):
            if isinstance(self._node, yaml.ScalarNode) and self._tag() in ("bool", "timestamp"):
                reads = "a date" if self._tag() == "timestamp" else "true or false"
                self.fail(f"expected a string, got {self._node.value} (YAML reads it as {reads}: quote it)")
            self.expected("a string")
        text = self._node.value.strip()
        if not text:
            self.expected("a non-empty string")
        if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
            self.expected("text without control characters")
        return text

    def strings(self) -> tuple[str, ...]:
        """A list of strings; a lone string is read as a list of one."""
        if isinstance(self._node, yaml.ScalarNode) and self._tag() != "null":
            return (self.string(),)
        if not isinstance(self._node, yaml.SequenceNode):
            self.expected("a list of names")
        return tuple(child.string() for child in self.items())

    def integer(self, *, minimum: int, maximum: int) -> int:
        if not isinstance(self._node, yaml.ScalarNode) or self._tag() != "int":
            self.expected("a whole number")
        text = self._node.value.strip().replace("_", "")
        if not _INTEGER.match(text):  # `!!int ""`, `!!int abc`: a tag does not make a number
            self.fail(f"expected a whole number, got {quoted(self._node.value)}")
        try:
            value = _CONSTRUCTOR.construct_object(self._node)
        except ValueError:  # too many digits for Python to read: far past either bound
            value = minimum - 1 if text.startswith("-") else maximum + 1
        if value < minimum:
            self.fail(f"expected a whole number of at least {minimum}, got {self.describe()}")
        if value > maximum:
            self.fail(f"expected a whole number of at most {maximum}, got {self.describe()}")
        return value

    def date(self) -> dt.date:
        """A date written 2026-12-07, quoted or not; an impossible one like 2026-13-01 is an error."""
        if isinstance(self._node, yaml.ScalarNode) and _ISO_DATE.match(self._node.value.strip()):
            try:
                return dt.date.fromisoformat(self._node.value.strip())
            except ValueError:
                pass
        self.expected("a date like 2026-12-07")

    def url(self) -> str:
        """An http(s) URL without a trailing slash; credentials belong in the environment, not here."""
        from cmtriage.urls import http_url

        text = self.string()
        parts = http_url(text)
        if parts is None:
            self.expected("a URL like https://forum.example.com")
        if parts.username or parts.password:
            self.fail("a URL here must not hold a user name or password; secrets go in environment variables")
        return text.rstrip("/")

    def choice(self, choices: tuple[str, ...]) -> str:
        text = self.string()
        if text not in choices:
            self.expected(f"one of {' | '.join(choices)}")
        return text


def _read(path: Path, name: str) -> bytes:
    """The file's bytes: a regular file (not a FIFO, which would hang, nor a device), MAX_BYTES at most."""
    import errno
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once, and is refused below
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(mode):
            raise ConfigError(name, None, "", "not a regular file (a pipe or a device); point at the YAML "
                                              "file itself")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ConfigError(name, None, "", f"larger than {MAX_BYTES:,} bytes: not a config file")
    return data


def load(path: Path, text: str | None = None) -> Node:
    """The document's root node (an empty file gives an empty node); a missing file or a YAML syntax error
    is a ConfigError. Messages name the file as `path` spells it, so `--config-dir` shows in them. `text`,
    when given, is the file's text as already read."""
    name = str(path)
    try:
        if text is None:
            text = _read(path, name).decode("utf-8-sig")
    except FileNotFoundError:
        hint = "file not found (use --config-dir or CMTRIAGE_CONFIG_DIR)"
        raise ConfigError(name, None, "", hint) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(name, line, "", "not UTF-8 text (save the file as UTF-8)") from None
    except OSError as exc:
        raise ConfigError(name, None, "", f"cannot read: {exc.strerror}") from None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context
        if exc.problem and exc.context and exc.context_mark:
            problem += f" ({exc.context} on line {exc.context_mark.line + 1})"
        line = mark.line + 1 if mark else None
        raise ConfigError(name, line, "", f"YAML syntax error: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, at a position in the text
        line = text[: exc.position].count("\n") + 1
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise ConfigError(name, line, "", f"a character YAML does not allow ({character}); remove it"
                          ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(name, None, "", f"YAML error: {exc}") from None
    except _TooDeep as exc:
        raise ConfigError(name, exc.line, "", f"nests too deep: more than {MAX_DEPTH} lists and mappings "
                                              "inside each other") from None
    return Node(name, root, "", root.start_mark.line + 1 if root is not None else 1)


def required(keys: dict[str, Node], parent: Node, key: str, what: str) -> Node:
    """`keys[key]`; its absence is the error, naming what belongs there."""
    if key not in keys:
        parent.missing(key, what)
    return keys[key]
