"""Names visible by package, namespace or module rather than by a relative import path
(`imports: visible` in a flow table): Java, Kotlin, C#, Swift and Dart.

A name another file declares is found, in this order, through
  1. the file's own imports: `import a.b.Endpoints`, `import static a.b.Endpoints.GRAPH`,
     `using static A.Ig`, Dart `import 'config.dart'` (every top-level name) or `as cfg`;
  2. the file that carries the class's name (`Endpoints.OAUTH` -> Endpoints.java, Ig.cs);
  3. the other files of the same folder (a Java/Kotlin package, a C# namespace);
  4. the files of the folder tree the table names (`visibility.tree`: a Swift module sees
     every file of its target, so the parent folder's tree).
Every lookup is a workspace query, recorded for the result cache like any other.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import chain

from igmigrate.analyzers.flow.ir import Definition, FileModel, Import
from igmigrate.analyzers.flow.project import dir_query, module_query, name_query, snake, tree_query

_MAX_MODELS_PER_LOOKUP = 48


def _is_path(source: str) -> bool:
    return "/" in source or source.endswith(tuple(".dart .swift".split())) or source.startswith("package:")


def imported_module(ws, model: FileModel, source: str) -> FileModel | None:
    """The file a path import names: relative to the importing file, or a `package:` URI
    (found by its file name, nearest first)."""
    grammar = ws.grammar_of.get(model.path, model.language)
    if source.startswith("package:"):
        tail = source.split("/", 1)[1] if "/" in source else source
        stem = os.path.basename(tail).split(".", 1)[0]
        found = ws.query(name_query(grammar, stem.lower())) or ws.query(name_query(grammar, snake(stem)))
        for path in (found or "").split("\n"):
            if path.endswith(os.sep + tail.replace("/", os.sep)):
                return ws.load(path)
        return None
    if ":" in source:
        return None  # dart:core and the like
    base = os.path.normpath(os.path.join(os.path.dirname(model.path), source))
    found = ws.query(module_query(base, ws.spec_of(model).module_extensions))
    return ws.load(found) if found else None


def _neighbours(ws, model: FileModel) -> Iterator[FileModel]:
    """Files whose top-level names this file sees without naming them: the same folder, then
    the folder tree the language's visibility reaches."""
    grammar = ws.grammar_of.get(model.path, model.language)
    folder = os.path.dirname(model.path)
    seen = {model.path}
    for other in ws.load_many(ws.query(dir_query(folder, grammar))):
        if other.path not in seen:
            seen.add(other.path)
            yield other
    levels = int(ws.spec_of(model).visibility.get("tree", -1))
    if levels >= 0:
        top = folder
        for _ in range(levels):
            top = os.path.dirname(top)
        for other in ws.load_many(ws.query(tree_query(top, grammar))):
            if other.path not in seen:
                seen.add(other.path)
                yield other


def _star_modules(ws, model: FileModel) -> Iterator[FileModel]:
    for key, imported in model.imports.items():
        if key.startswith("*") and _is_path(imported.source):
            other = imported_module(ws, model, imported.source)
            if other is not None:
                yield other


def _class_files(ws, model: FileModel, class_name: str) -> Iterator[FileModel]:
    grammar = ws.grammar_of.get(model.path, model.language)
    for key in dict.fromkeys([class_name.lower(), snake(class_name)]):
        for other in ws.load_many(ws.query(name_query(grammar, key))):
            yield other


def _models_for_class(ws, model: FileModel, dotted: str) -> Iterator[FileModel]:
    """Files that may declare the class `dotted` (its first segment is the outer class)."""
    first = dotted.split(".")[0]
    imported = model.imports.get(first)
    count = 0
    seen: set[str] = set()
    sources = []
    if imported is not None and not _is_path(imported.source):
        sources.append(_class_files(ws, model, imported.name or first))
    sources += [_star_modules(ws, model), _class_files(ws, model, first), _neighbours(ws, model)]
    for source in sources:
        for other in source:
            if other.path in seen or other is model:
                continue
            seen.add(other.path)
            count += 1
            if count > _MAX_MODELS_PER_LOOKUP:
                return
            yield other


def member(ws, model: FileModel, dotted: str, name: str) -> tuple[FileModel, Definition] | None:
    """`Endpoints.OAUTH`, `IG.graph`, `cfg.base` (a Dart import prefix) declared in another file."""
    imported = model.imports.get(dotted)
    if imported is not None and imported.name is None and _is_path(imported.source):
        other = imported_module(ws, model, imported.source)
        if other is not None:
            defs = other.definitions.get(("", name))
            if defs:
                return other, defs[-1]
        return None
    for other in _models_for_class(ws, model, dotted):
        for cls in ws._classes_named(other, "", dotted):
            defs = other.definitions.get((cls, name))
            if defs:
                return other, defs[-1]
    return None


def resolve_name(ws, model: FileModel, name: str, ev) -> object | None:
    """A bare name this file does not declare: an imported static member or class, a member
    of a class opened by a static import, a top-level name of an imported library or of the
    same package/module."""
    from igmigrate.analyzers.flow.evaluate import ClassValue

    imported: Import | None = model.imports.get(name)
    if imported is not None and not _is_path(imported.source):
        parts = imported.source.split(".")
        for other in _class_files(ws, model, parts[-1]):
            for cls in ws._classes_named(other, "", parts[-1]):
                return ClassValue(other, cls)
        if len(parts) >= 2:
            for other in _class_files(ws, model, parts[-2]):
                for cls in ws._classes_named(other, "", parts[-2]):
                    defs = other.definitions.get((cls, parts[-1]))
                    if defs:
                        return ev.definition_value(other, defs[-1])
    for key, star in model.imports.items():
        if not key.startswith("*") or _is_path(star.source):
            continue
        cls_name = star.source.split(".")[-1]
        for other in _class_files(ws, model, cls_name):
            for cls in ws._classes_named(other, "", cls_name):
                defs = other.definitions.get((cls, name))
                if defs:
                    return ev.definition_value(other, defs[-1])
    for other in chain(_star_modules(ws, model), _neighbours(ws, model)):
        defs = other.definitions.get(("", name))
        if defs:
            return ev.definition_value(other, defs[-1])
        if name in other.classes:
            return ClassValue(other, name)
    return None
