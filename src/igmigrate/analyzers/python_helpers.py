"""Syntax the Python analyzer needs to follow a value into a helper: `self.X = ...` set in
methods, and functions that build a request from a parameter (`def _get(self, path): return
requests.get(self.base + path)`), so `self._get("/me/media")` is read as the URL it makes.

Pure libcst walks; evaluating the pieces is python.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

MAX_SINKS = 32  # expressions kept per helper: a long function is not a URL helper


@dataclass(frozen=True)
class Helper:
    params: tuple[str, ...]  # positional parameters after self/cls
    sinks: tuple[cst.BaseExpression, ...]  # expressions that use a parameter (returns, arguments, assignments)


def self_assignments(func: cst.FunctionDef) -> list[tuple[str, cst.BaseExpression]]:
    """`self.name = value` statements anywhere in a method body."""
    found: list[tuple[str, cst.BaseExpression]] = []

    class Visitor(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                t = target.target
                if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self":
                    found.append((t.attr.value, node.value))

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is func  # nested functions have their own self

    func.visit(Visitor())
    return found


def helper_of(func: cst.FunctionDef, method: bool) -> Helper | None:
    """The function as a helper, or None when no expression in it uses a parameter."""
    params = [p.name.value for p in (*func.params.posonly_params, *func.params.params)]
    if method and params and params[0] in ("self", "cls"):
        params = params[1:]
    if not params:
        return None
    names = set(params)
    sinks: list[cst.BaseExpression] = []

    class Visitor(cst.CSTVisitor):
        def _keep(self, node: cst.BaseExpression | None) -> None:
            if node is not None and len(sinks) < MAX_SINKS and _uses(node, names):
                sinks.append(node)

        def visit_Return(self, node: cst.Return) -> None:
            self._keep(node.value)

        def visit_Assign(self, node: cst.Assign) -> None:
            self._keep(node.value)

        def visit_Arg(self, node: cst.Arg) -> None:
            self._keep(node.value)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is func

    func.visit(Visitor())
    return Helper(tuple(params), tuple(sinks)) if sinks else None


def _uses(node: cst.CSTNode, names: set[str]) -> bool:
    """Whether the expression composes a parameter with something else (a bare `path` passed
    on is not a composition: the caller's own value already says what it is)."""
    if isinstance(node, cst.Name):
        return False
    found = False

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            nonlocal found
            found = found or n.value in names

        def visit_Lambda(self, n: cst.Lambda) -> bool:
            return False

    node.visit(Visitor())
    return found
