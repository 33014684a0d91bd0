"""Name resolution for the evaluator: the file's own scopes, then what the language makes
visible from other files of the tree (ES modules and CommonJS, PHP classes by name, Ruby
constants by module name and require_relative, Go package-level names of the same folder).

Other files are parsed and lowered on first need and kept for the process (a model depends
only on its own bytes); every query that finds them is recorded for the result cache
(project.py says what a query is).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from igmigrate.analyzers.flow import visible
from igmigrate.analyzers.flow.ir import Definition, Expr, FileModel, Function, Member, Ref
from igmigrate.analyzers.flow.project import FlowFiles, dir_query, module_query, name_query, snake
from igmigrate.analyzers.flow.spec import LanguageSpec, load_spec, spec_for_grammar
from igmigrate.reading import TooLarge, read_bytes

MAX_FILE_BYTES = 512 * 1024  # a larger file is not read for its definitions
MAX_MODELS = 64  # other files one analysis may read


class Workspace:
    def __init__(self, files: FlowFiles | None, parse_model: Callable[[str, bytes, str], FileModel | None]):
        self.files = files
        self.parse_model = parse_model  # (grammar, bytes, path) -> model
        self.models: dict[str, FileModel | None] = {}
        self.grammar_of: dict[str, str] = {}
        self._frames: list[set[tuple[str, str | None]]] = []
        self._loaded = 0

    # ------------------------------------------------------------------ recording
    def start(self) -> None:
        self._frames = [set()]
        self._loaded = 0

    def stop(self) -> frozenset[tuple[str, str | None]]:
        found = frozenset(self._frames[0]) if self._frames else frozenset()
        self._frames = []
        return found

    def query(self, q: str) -> str | None:
        found = self.files.resolve(q) if self.files is not None else None
        for frame in self._frames:
            frame.add((q, found))
        return found

    # ------------------------------------------------------------------ models
    def add(self, model: FileModel, grammar: str) -> None:
        self.grammar_of[model.path] = grammar
        self.models[model.path] = model

    def spec_of(self, model: FileModel) -> LanguageSpec:
        return load_spec(model.language)

    def load(self, path: str) -> FileModel | None:
        if path in self.models:
            return self.models[path]
        if self._loaded >= MAX_MODELS or self.files is None:
            return None
        self._loaded += 1
        grammar = self.files.grammar.get(path)
        model = None
        if grammar is not None and spec_for_grammar(grammar) is not None:
            try:
                model = self.parse_model(grammar, read_bytes(path, MAX_FILE_BYTES), path)
            except (OSError, TooLarge, RecursionError, ValueError):
                model = None
        self.models[path] = model
        if model is not None:
            self.grammar_of[path] = grammar
        return model

    def load_many(self, found: str | None) -> list[FileModel]:
        if not found:
            return []
        return [m for m in (self.load(p) for p in found.split("\n")) if m is not None]

    # ------------------------------------------------------------------ same file
    def lookup(self, model: FileModel, scope: str, name: str, position: int) -> tuple[FileModel, Definition] | None:
        for s in _scope_chain(scope):
            defs = model.definitions.get((s, name))
            if defs:
                chosen = _visible(defs, position)
                if chosen is not None:
                    return model, chosen
        return None

    def class_of(self, model: FileModel, scope: str) -> str | None:
        for s in _scope_chain(scope):
            if s in model.classes:
                return s
        return None

    def member_definition(self, model: FileModel, cls: str, name: str) -> tuple[FileModel, Definition] | None:
        defs = model.definitions.get((cls, name))
        if defs:
            return model, defs[-1]
        if self.spec_of(model).imports == "go":
            for other in self._package(model):
                defs = other.definitions.get((cls, name))
                if defs:
                    return other, defs[-1]
        return None

    def unique_field(self, model: FileModel, name: str) -> tuple[FileModel, Definition] | None:
        """`c.base` where c's type is not written: the one class/struct of the file (or Go
        package) that has a field of that name, if exactly one does."""
        found: list[tuple[FileModel, Definition]] = []
        models = [model] + (self._package(model) if self.spec_of(model).imports == "go" else [])
        for m in models:
            for cls in m.classes:
                defs = m.definitions.get((cls, name))
                if defs:
                    found.append((m, defs[-1]))
        if len({(m.path, d.scope) for m, d in found}) == 1:
            return found[0]
        return None

    # ------------------------------------------------------------------ across files
    def resolve_name(self, model: FileModel, scope: str, name: str, ev) -> object | None:
        from igmigrate.analyzers.flow.evaluate import ClassValue, ModuleValue

        imported = model.imports.get(name)
        mode = self.spec_of(model).imports
        if imported is not None and mode == "es":
            other = self._es_module(model, imported.source)
            if other is None:
                return None
            if imported.name is None:
                exported = other.exports.get("module.exports")
                return ev.value(exported, _frame(other)) if exported is not None else ModuleValue(other)
            return self.export_value(other, imported.name, ev)
        if name in model.classes:
            return ClassValue(model, name)
        if mode == "visible":
            return visible.resolve_name(self, model, name, ev)
        if mode == "go":
            for other in self._package(model):
                defs = other.definitions.get(("", name))
                if defs:
                    return ev.definition_value(other, defs[-1])
        if mode == "ruby":
            for other in self._required(model):
                defs = other.definitions.get(("", name))
                if defs:
                    return ev.definition_value(other, defs[-1])
        return None

    def export_value(self, model: FileModel, name: str, ev, depth: int = 0) -> object | None:
        from igmigrate.analyzers.flow.evaluate import ModuleValue

        exported = model.exports.get(name)
        if exported is not None:
            return ev.value(exported, _frame(model))
        whole = model.exports.get("module.exports")
        if whole is not None:
            value = ev.value(whole, _frame(model))
            if name == "default":
                return value
            if isinstance(value, dict):
                return value.get(name)
        if depth < 3:
            for source, inner, alias in model.reexports:
                if inner is not None and alias != name:
                    continue
                other = self._es_module(model, source)
                if other is None:
                    continue
                if inner == "default" or (inner is None and name == "default"):
                    continue
                value = self.export_value(other, inner or name, ev, depth + 1)
                if value is not None:
                    return value
        if name == "default" and model.exports:
            return ModuleValue(model)
        return None

    def qualified(self, model: FileModel, scope: str, dotted: str, name: str, ev) -> tuple[FileModel, Definition] | None:
        """`Endpoints::OAUTH`, `IG::Client::BASE`, `Config.base`: a class member, a dotted
        module-level name, or a class of another file found by its name."""
        imported = model.imports.get(dotted.split(".")[0])
        if imported is not None and self.spec_of(model).imports == "es":
            return None  # an import: the member is read from the value it binds
        for cls in self._classes_named(model, scope, dotted):
            defs = model.definitions.get((cls, name))
            if defs:
                return model, defs[-1]
        defs = model.definitions.get(("", f"{dotted}.{name}"))
        if defs:
            return model, defs[-1]
        mode = self.spec_of(model).imports
        if mode == "visible":
            return visible.member(self, model, dotted, name)
        if mode in ("php", "ruby"):
            if mode == "php" and imported is not None:
                dotted = imported.name or dotted
            short = dotted.replace("\\", ".").split(".")
            grammar = self.grammar_of.get(model.path, model.language)
            for key in dict.fromkeys([short[-1].lower(), snake(short[-1]), short[0].lower(), snake(short[0])]):
                for other in self.load_many(self.query(name_query(grammar, key))):
                    if other is model:
                        continue
                    for cls in self._classes_named(other, "", ".".join(short)):
                        defs = other.definitions.get((cls, name))
                        if defs:
                            return other, defs[-1]
        if mode == "go":
            for other in self._package(model):
                for cls in self._classes_named(other, "", dotted):
                    defs = other.definitions.get((cls, name))
                    if defs:
                        return other, defs[-1]
        return None

    def function(self, model: FileModel, scope: str, callee: Expr, ev) -> tuple[FileModel, Function] | None:
        if isinstance(callee, Ref):
            for s in _scope_chain(scope):
                found = model.functions.get((s, callee.name))
                if found is not None:
                    return model, found
            if self.spec_of(model).imports == "go":
                for other in self._package(model):
                    found = other.functions.get(("", callee.name))
                    if found is not None:
                        return other, found
            return None
        if isinstance(callee, Member):
            if isinstance(callee.obj, Ref) and callee.obj.name == "this":
                cls = self.class_of(model, scope)
                found = model.functions.get((cls, callee.name)) if cls else None
                if found is not None:
                    return model, found
            # a method whose receiver's type is not written: the one class that has it
            models = [model] + (self._package(model) if self.spec_of(model).imports == "go" else [])
            hits = [(m, f) for m in models for (owner, n), f in m.functions.items() if n == callee.name and owner
                    and owner in m.classes]
            if len(hits) == 1:
                return hits[0]
        return None

    # ------------------------------------------------------------------ helpers
    def _classes_named(self, model: FileModel, scope: str, dotted: str) -> list[str]:
        dotted = dotted.replace("\\", ".").replace("::", ".")
        out = []
        for s in _scope_chain(scope):
            candidate = f"{s}.{dotted}" if s else dotted
            if candidate in model.classes:
                out.append(candidate)
        if not out:
            out = sorted(c for c in model.classes if c.endswith("." + dotted))
        return out

    def _es_module(self, model: FileModel, source: str) -> FileModel | None:
        if not source.startswith("."):
            return None
        base = os.path.normpath(os.path.join(os.path.dirname(model.path), source))
        found = self.query(module_query(base, self.spec_of(model).module_extensions))
        return self.load(found) if found else None

    def _package(self, model: FileModel) -> list[FileModel]:
        grammar = self.grammar_of.get(model.path, model.language)
        found = self.query(dir_query(os.path.dirname(model.path), grammar))
        return [m for m in self.load_many(found) if m is not model]

    def _required(self, model: FileModel) -> list[FileModel]:
        out = []
        for required in model.requires:
            if not required.startswith("./"):
                continue
            base = os.path.normpath(os.path.join(os.path.dirname(model.path), required))
            found = self.query(module_query(base, self.spec_of(model).module_extensions))
            other = self.load(found) if found else None
            if other is not None:
                out.append(other)
        return out


def _frame(model: FileModel):
    from igmigrate.analyzers.flow.evaluate import Frame

    return Frame(model, "")


def _scope_chain(scope: str) -> list[str]:
    out = [scope]
    while scope:
        scope = scope.rpartition(".")[0]
        out.append(scope)
    return out


def _visible(defs: list[Definition], position: int) -> Definition | None:
    """The binding a use at `position` sees: the last one before it that does not contain
    it (`url = url + x` reads the previous url), else the first (hoisted constants)."""
    before = [d for d in defs if d.span.start < position and not (d.span.start <= position < d.span.end)]
    if before:
        return before[-1]
    outside = [d for d in defs if not (d.span.start <= position < d.span.end)]
    return outside[0] if outside else None
