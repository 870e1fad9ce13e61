"""YAML read as located nodes, so every config mistake can name its file, line and key path.

The typed readers below look at the YAML node, not at what PyYAML would construct from it: a name
written `007` or a version written `11.10` is the text the user typed, not the number 7 or 11.1.

Importing PyYAML takes longer than all the rest of `cmtriage rotation who`, so a file written in the
plain part of YAML that config files mostly use is read here without it (see _simple_compose). Any
other file, and so every file with a syntax error, goes to PyYAML: its messages stay PyYAML's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from cmtriage.errors import ConfigError

_TAG = "tag:yaml.org,2002:"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUOTE_LIMIT = 60  # longer values are cut in messages: the line number already says where they are


def quoted(text: str) -> str:
    """A value of the user's, quoted for a message: JSON escapes keep control characters off the terminal."""
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


class Node:
    """One YAML value with where it stands: `file:line` and a key path like `members[2].from`.

    `line` is 1-based; a mapping's value stands on the line of its key."""

    def __init__(self, file: str, node: Any, path: str, line: int, *, in_alias: bool = False):
        self.file, self._node, self.path, self.line = file, node, path, line
        self._in_alias = in_alias
        # "scalar", "sequence" or "mapping": PyYAML's node.id, which the simple reader's nodes share.
        self._kind = node.id if node is not None else None

    def _at(self, node: Any, path: str, line: int) -> Node:
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
        if self._kind == "mapping":
            return "a mapping"
        if self._kind == "sequence":
            return "a list" if node.value else "an empty list"
        if self._tag() == "null":
            return "nothing"
        if self._tag() in ("int", "float", "bool", "timestamp"):
            return node.value  # as written: 7.5, yes, 2026-13-01
        return quoted(node.value)

    # --- structure ----------------------------------------------------------
    def _tag(self) -> str:
        return self._node.tag.removeprefix(_TAG)

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def mapping_nodes(self) -> Iterator[tuple[str, Node]]:
        """The (key, value) pairs of a mapping, in file order; a key written twice is an error."""
        if self._kind != "mapping":
            self.expected("a mapping")
        first_line: dict[str, int] = {}
        for key_node, value_node in self._node.value:
            line = key_node.start_mark.line + 1  # PyYAML's marks count from 0
            key = self._at(key_node, self.path, line)
            if key_node.id != "scalar":
                key.expected("a key name")
            name = key_node.value
            if name in first_line:
                self._at(key_node, self._join(name), line).fail(
                    f"duplicate key (first on line {first_line[name]})")
            first_line[name] = line
            yield name, self._at(value_node, self._join(name), line)

    def mapping(self, known: tuple[str, ...]) -> dict[str, Node]:
        """The keys of a mapping; an unknown key is an error that lists the known ones."""
        if self._kind != "mapping":
            self.expected(f"a mapping with the keys {', '.join(known)}")
        result: dict[str, Node] = {}
        for key, child in self.mapping_nodes():
            if key not in known:
                child.fail(f"unknown key (known keys: {', '.join(known)})")
            result[key] = child
        return result

    def items(self) -> Iterator[Node]:
        if self._kind != "sequence":
            self.expected("a list")
        for index, child in enumerate(self._node.value):
            yield self._at(child, f"{self.path}[{index}]", child.start_mark.line + 1)

    # --- typed readers ------------------------------------------------------
    def string(self) -> str:
        """The text as written, numbers included (a version `11.10` stays "11.10"), without control
        characters (so none reaches a terminal from here)."""
        if self._kind != "scalar" or self._tag() not in ("str", "int", "float"):
            if self._kind == "scalar" and self._tag() in ("bool", "timestamp"):
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
        if self._kind == "scalar" and self._tag() != "null":
            return (self.string(),)
        if self._kind != "sequence":
            self.expected("a list of names")
        return tuple(child.string() for child in self.items())

    def integer(self, *, minimum: int = 0) -> int:
        if self._kind != "scalar" or self._tag() != "int":
            self.expected("a whole number")
        # Only PyYAML reads whole numbers (the simple reader leaves them to it), so yaml is imported by now.
        from yaml.constructor import SafeConstructor

        value = SafeConstructor().construct_object(self._node)
        if value < minimum:
            self.fail(f"expected a whole number of at least {minimum}, got {self._node.value}")
        return value

    def date(self) -> dt.date:
        """A date written 2026-12-07, quoted or not; an impossible one like 2026-13-01 is an error."""
        if self._kind == "scalar" and _ISO_DATE.match(self._node.value.strip()):
            try:
                return dt.date.fromisoformat(self._node.value.strip())
            except ValueError:
                pass
        self.expected("a date like 2026-12-07")

    def url(self) -> str:
        """An http(s) URL without a trailing slash; credentials belong in the environment, not here."""
        text = self.string()
        parts = urlsplit(text)
        if parts.scheme not in ("https", "http") or not parts.hostname or any(c.isspace() for c in text):
            self.expected("a URL like https://forum.example.com")
        if parts.username or parts.password:
            self.fail("a URL here must not hold a user name or password; secrets go in environment variables")
        return text.rstrip("/")

    def choice(self, choices: tuple[str, ...]) -> str:
        text = self.string()
        if text not in choices:
            self.expected(f"one of {' | '.join(choices)}")
        return text


# --- the simple reader -----------------------------------------------------------------------------------
# Block mappings and lists, one-line [flow] and {flow} collections, dates, quoted text without escapes,
# and plain text that starts with a letter and holds no colon; keys are plain words. Its nodes have
# what Node reads of PyYAML's (id, tag, value, start_mark.line), equal to what PyYAML composes:
# tests/test_config.py compares the two readers. Anything else (anchors, tags, numbers, true/false,
# null, block text, values over several lines, tabs, ...) raises _NotSimple, and PyYAML reads the file.
class _NotSimple(Exception):
    pass


class _Mark:
    __slots__ = ("line",)

    def __init__(self, line: int):
        self.line = line  # from 0, as PyYAML counts


class _SimpleNode:
    __slots__ = ("id", "start_mark", "tag", "value")

    def __init__(self, kind: str, tag: str, value: Any, line: int):
        self.id, self.tag, self.value, self.start_mark = kind, _TAG + tag, value, _Mark(line)


_KEY = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,63}):(?: +|$)")
_YAML_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # what PyYAML tags a timestamp, possible or not
_NOT_TEXT = ("yes", "no", "true", "false", "on", "off", "null")  # PyYAML reads some spellings as bool or null
# A token of a flow collection, by the group that matched.
_PUNCTUATION, _FLOW_KEY, _FLOW_SCALAR = 1, 2, 3
_FLOW_TOKEN = re.compile(
    r" *(?:([][{},])"  # a bracket or a comma
    r"|([A-Za-z][A-Za-z0-9_]{0,63}): +"  # a key and its colon
    r"""|('[^']*'|"[^"\\]*"|[^][{},:?#'" ][^][{},:?#]*))"""  # a scalar
)


def _scalar(text: str, line: int) -> _SimpleNode:
    if text[0] in "'\"":
        if len(text) < 2 or text[-1] != text[0] or text[0] in text[1:-1] or "\\" in text:
            raise _NotSimple
        return _SimpleNode("scalar", "str", text[1:-1], line)
    if _YAML_DATE.fullmatch(text):
        return _SimpleNode("scalar", "timestamp", text, line)
    if not text[0].isalpha() or ":" in text or text.lower() in _NOT_TEXT:
        raise _NotSimple
    return _SimpleNode("scalar", "str", text, line)


def _inline(text: str, line: int) -> _SimpleNode:
    """A value written on its key's or its dash's line: a scalar, or a flow collection closed there."""
    if text[0] not in "[{":
        return _scalar(text, line)
    tokens, at = [], 0
    while at < len(text):
        match = _FLOW_TOKEN.match(text, at)
        if not match:
            raise _NotSimple
        tokens.append((match.lastindex, match[match.lastindex]))
        at = match.end()
    tokens.append((0, ""))  # the end
    node, at = _flow(tokens, 0, line)
    if at != len(tokens) - 1:
        raise _NotSimple
    return node


def _flow(tokens: list[tuple[int, str]], at: int, line: int) -> tuple[_SimpleNode, int]:
    """The flow node that starts at tokens[at], and the index of the token after it."""
    kind, text = tokens[at]
    if kind == _FLOW_SCALAR:
        return _scalar(text.rstrip(" "), line), at + 1
    if kind != _PUNCTUATION or text not in ("[", "{"):
        raise _NotSimple
    close = "]" if text == "[" else "}"
    children: list[Any] = []
    at += 1
    if tokens[at] != (_PUNCTUATION, close):
        while True:
            if text == "[":
                child, at = _flow(tokens, at, line)
                children.append(child)
            elif tokens[at][0] == _FLOW_KEY:
                key = _scalar(tokens[at][1], line)
                value, at = _flow(tokens, at + 1, line)
                children.append((key, value))
            else:
                raise _NotSimple
            if tokens[at] != (_PUNCTUATION, ","):
                break
            at += 1
    if tokens[at] != (_PUNCTUATION, close):
        raise _NotSimple
    kind, tag = ("sequence", "seq") if text == "[" else ("mapping", "map")
    return _SimpleNode(kind, tag, children, line), at + 1


class _Block:
    """Block collections over the lines that hold something: (line number, indent, text)."""

    def __init__(self, lines: list[tuple[int, int, str]]):
        self.lines, self.at = lines, 0

    def indent(self) -> int:
        """The next line's indent; -1 past the last line."""
        return self.lines[self.at][1] if self.at < len(self.lines) else -1

    def dash(self) -> bool:
        text = self.lines[self.at][2]
        return text == "-" or text.startswith("- ")

    def node(self) -> _SimpleNode:
        """The block collection that starts on the next line."""
        line, indent, text = self.lines[self.at]
        if self.dash():
            return self.sequence(line, indent)
        if _KEY.match(text):
            return self.mapping(line, indent)
        raise _NotSimple

    def mapping(self, line: int, indent: int) -> _SimpleNode:
        pairs = []
        while self.indent() == indent and (match := _KEY.match(self.lines[self.at][2])):
            number, _, text = self.lines[self.at]
            self.at += 1
            rest = text[match.end():]
            if rest:
                value = _inline(rest, number)
            elif self.indent() > indent or (self.indent() == indent and self.dash()):
                value = self.node()  # on the lines below; a list may stand at the key's indent
            else:
                raise _NotSimple  # nothing: null
            pairs.append((_scalar(match[1], number), value))
        return _SimpleNode("mapping", "map", pairs, line)

    def sequence(self, line: int, indent: int) -> _SimpleNode:
        items = []
        while self.indent() == indent and self.dash():
            number, _, text = self.lines[self.at]
            rest = text[1:].lstrip(" ")
            if not rest:
                raise _NotSimple  # the item is below, or null
            if _KEY.match(rest):
                # A mapping that starts on the dash's line: its other keys line up with this one.
                self.lines[self.at] = (number, indent + len(text) - len(rest), rest)
                items.append(self.node())
            else:
                self.at += 1
                items.append(_inline(rest, number))
        return _SimpleNode("sequence", "seq", items, line)


def _simple_compose(text: str) -> _SimpleNode | None:
    """The root node, as PyYAML would compose it; None for a file without content."""
    lines = []
    for number, line in enumerate(text.split("\n")):
        if not line.isprintable():  # tabs, control characters, other line breaks
            raise _NotSimple
        comment = line.find("#")
        if comment > 0 and line[comment - 1] != " ":
            raise _NotSimple
        if comment >= 0:
            line = line[:comment]
        content = line.strip(" ")
        if content:
            lines.append((number, len(line) - len(line.lstrip(" ")), content))
    if not lines:
        return None
    block = _Block(lines)
    root = block.node()
    if block.at < len(lines):  # a line none of the collections took: a value over two lines, say
        raise _NotSimple
    return root


def load(path: Path) -> Node:
    """The document's root node (an empty file gives an empty node); a missing file or a YAML syntax error
    is a ConfigError. Messages name the file as `path` spells it, so `--config-dir` shows in them."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        hint = "file not found (use --config-dir or CMTRIAGE_CONFIG_DIR)"
        raise ConfigError(name, None, "", hint) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(name, line, "", "not UTF-8 text (save the file as UTF-8)") from None
    except OSError as exc:
        raise ConfigError(name, None, "", f"cannot read: {exc.strerror}") from None
    try:
        root = _simple_compose(text)
    except _NotSimple:
        root = _pyyaml_compose(name, text)
    return Node(name, root, "", root.start_mark.line + 1 if root is not None else 1)


def _pyyaml_compose(name: str, text: str) -> Any:
    """The root node as PyYAML composes it, with each alias (`*name`) placed where it is used, not where
    its anchor is."""
    import copy

    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
            if not self.check_event(yaml.AliasEvent):
                return super().compose_node(parent, index)
            mark = self.peek_event().start_mark
            node = copy.copy(super().compose_node(parent, index))
            node.start_mark = mark
            node.is_alias = True
            return node

    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context
        if exc.problem and exc.context and exc.context_mark:
            problem += f" ({exc.context} on line {exc.context_mark.line + 1})"
        line = mark.line + 1 if mark else None
        raise ConfigError(name, line, "", f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(name, None, "", f"YAML error: {exc}") from None
