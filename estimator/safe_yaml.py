"""Reading YAML or JSON a stranger wrote: bounded work, bounded memory, bounded messages.

PyYAML's safe loader still expands aliases (a 600-byte "billion laughs" file becomes gigabytes),
recurses once per nesting level and turns a 5000-digit integer into a Python int. Here:

- aliases (`*name`) are refused before anything is expanded (anchors alone are harmless);
- nesting deeper than MAX_DEPTH levels is refused;
- an integer literal longer than MAX_INT_DIGITS characters is refused;
- every message is one short line and never quotes the input.

`check_data` applies the same depth, integer and size rules to data decoded by other means
(a share link's JSON). Both raise `UnsafeInput`, a ScenarioError with one '(file): ...' line.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode

from estimator.errors import ScenarioError

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings: a real scenario nests about 6 levels."""

MAX_INT_DIGITS = 30
"""Longest integer literal: 10**30 is far above any count a scenario holds."""

MAX_NODES = 2_000_000
"""Most values (scalars, lists, mappings) in one document: a 5 MB scenario holds far fewer."""


class UnsafeInput(ScenarioError):
    """The document is refused before it is built (see the module docstring)."""


def _refuse(where: str, what: str) -> UnsafeInput:
    return UnsafeInput([f"{where}: {what}"])


def _mark(node_or_event: Any) -> str:
    mark = getattr(node_or_event, "start_mark", None)
    if mark is None:
        return ""
    return f" at line {mark.line + 1}, column {mark.column + 1}"


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader with aliases refused and nesting, integers and node count capped."""

    def __init__(self, stream: str, where: str) -> None:
        super().__init__(stream)
        self._where = where
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _refuse(
                self._where,
                f"uses a YAML alias (*name){_mark(event)}; aliases are not accepted, write the "
                "value out in full",
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _refuse(self._where, f"holds more than {MAX_NODES:,} values")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _refuse(
                    self._where,
                    f"nests lists and mappings more than {MAX_DEPTH} levels deep"
                    f"{_mark(self.peek_event())}",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: ScalarNode) -> int:
        digits = str(node.value).replace("_", "").lstrip("+-")
        if len(digits) > MAX_INT_DIGITS:
            raise _refuse(
                self._where,
                f"has an integer of {len(digits):,} digits{_mark(node)}; at most "
                f"{MAX_INT_DIGITS} digits are accepted",
            )
        return super().construct_yaml_int(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)


def load_yaml(text: str, *, where: str = "(file)") -> Any:
    """Decode YAML or JSON text with the limits above. Raises ScenarioError (one line)."""
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text, where)  # reads the text: may raise on a bad character
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        at = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            at = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = str(getattr(exc, "problem", None) or "unreadable")[:120]
        raise ScenarioError([f"{where}: is not valid YAML or JSON{at}: {problem}"]) from None
    except RecursionError:  # pragma: no cover - the depth cap comes first
        raise _refuse(where, f"nests more than {MAX_DEPTH} levels deep") from None
    finally:
        if loader is not None:
            loader.dispose()


def check_data(data: Any, *, where: str = "(file)") -> Any:
    """Refuse decoded data deeper than MAX_DEPTH, with more than MAX_NODES values or an
    integer longer than MAX_INT_DIGITS digits (iteratively: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise _refuse(where, f"holds more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise _refuse(where, f"nests lists and mappings more than {MAX_DEPTH} levels deep")
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            if value.bit_length() > MAX_INT_DIGITS * 3.33:
                raise _refuse(
                    where, f"has an integer longer than {MAX_INT_DIGITS} digits; too large"
                )
        elif isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
            stack.extend((k, depth + 1) for k in value if not isinstance(k, str))
        elif isinstance(value, list | tuple):
            stack.extend((v, depth + 1) for v in value)
    return data
