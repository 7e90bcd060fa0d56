"""Read roadmap files, validate them, and name every problem by file, line and place.

The content hash is the SHA-256 of the canonical JSON (sorted keys, no spaces) of the validated
document with every default filled in. Comments, layout, key order and spelling out a default
therefore never make a new version; a change of meaning does, and so does a new default in the
schema itself, because it changes the rules the service applies.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from roadmap.audit.service import canonical_json
from roadmap.framework.checks import Loc, validate
from roadmap.framework.schema import Framework


# libyaml's parser when PyYAML was built with it: several times faster, same marks.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type, misc]
    """Safe YAML that refuses duplicate keys and reads only true/false as booleans.

    PyYAML keeps the last of two equal keys without a word, and YAML 1.1 reads no, yes, on and
    off as booleans, which would turn an option code `no` into False.
    """

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key given twice."""
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, Hashable):
                    continue  # the base constructor reports unhashable keys itself
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _SafeBase.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


@dataclass(frozen=True)
class LoadedFramework:
    """A validated roadmap with where it came from and its content hash."""

    document: Framework
    source_path: str
    content_hash: str


@dataclass
class ReadResult:
    """What reading a file or folder gave: the valid roadmaps and one line per problem."""

    frameworks: list[LoadedFramework] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was wrong."""
        return not self.problems


def content_hash(document: Framework) -> str:
    """SHA-256 of the validated document's canonical JSON (see the module docstring)."""
    return hashlib.sha256(canonical_json(document.model_dump(mode="json")).encode()).hexdigest()


def display_path(path: Path) -> str:
    """The path as the user can find it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_file(path: Path) -> LoadedFramework | list[str]:
    """Read and validate one roadmap file: the framework, or one line per problem."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [f"{name}: cannot read the file: {error}"]
    loader = _Loader(text)
    try:
        root = loader.get_single_node()  # kept for the line numbers of problems
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        return [_yaml_problem(name, error)]
    finally:
        loader.dispose()
    if data is None:
        return [f"{name}: the file is empty"]
    if not isinstance(data, dict):
        return [f"{name}:1: the file must hold one roadmap (a mapping of keys), "
                f"not a {type(data).__name__}"]
    document, problems = validate(data)
    if document is None:
        placed = [(_line(root, loc), loc, message) for loc, message in problems]
        placed.sort(key=lambda p: p[0] or 0)  # in file order, whichever check found them
        return [_place(name, line, data, loc, message) for line, loc, message in placed]
    return LoadedFramework(document, name, content_hash(document))


def read_path(path: Path) -> ReadResult:
    """Read one file, or every *.yaml file of a folder (one roadmap each, slugs unique)."""
    result = ReadResult()
    if path.is_dir():
        files = sorted(path.glob("*.yaml"))
        if not files:
            result.problems.append(f"{display_path(path)}: no *.yaml roadmap files here")
    elif path.is_file():
        files = [path]
    else:
        result.problems.append(f"{display_path(path)}: no such file or folder")
        files = []
    first_file: dict[str, str] = {}
    for file in files:
        outcome = read_file(file)
        if isinstance(outcome, list):
            result.problems.extend(outcome)
            continue
        slug = outcome.document.slug
        if slug in first_file:
            result.problems.append(f"{outcome.source_path}: slug: {slug!r} is also the slug of "
                                   f"{first_file[slug]}; each roadmap needs its own slug")
            continue
        first_file[slug] = outcome.source_path
        result.frameworks.append(outcome)
    return result


def _yaml_problem(name: str, error: yaml.MarkedYAMLError) -> str:
    """file:line:col: message, for YAML that does not parse."""
    mark = error.problem_mark or error.context_mark
    where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
    message = " ".join(part for part in (error.context, error.problem) if part)
    return f"{where}: {message}"


def readable_path(data: Any, loc: Loc) -> str:
    """A dotted path, showing list items by their code where they have one."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            code = item.get("code") if isinstance(item, dict) else None
            if isinstance(code, (str, int)) and not isinstance(code, bool):
                # A numeric code shown bare would read as a list index.
                text = str(code)
                out += f'["{text}"]' if text.isdigit() else f"[{text}]"
            else:
                out += f"[{part}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _line(root: Optional[Node], loc: Loc) -> Optional[int]:
    """The line of the deepest YAML node the location reaches (1-based)."""
    node, line = root, None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _place(name: str, line: Optional[int], data: Any, loc: Loc, message: str) -> str:
    """One problem line: file:line: path: message."""
    where = f"{name}:{line}" if line else name
    path = readable_path(data, loc)
    return f"{where}: {path}: {message}" if path else f"{where}: {message}"
