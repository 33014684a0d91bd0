"""The grammar table (rules/grammars.yaml) and its lazy loader."""

from __future__ import annotations

import subprocess
import sys

import pytest

from igmigrate.analyzers import grammars

SAMPLES = {
    "javascript": b'const u = "https://graph.instagram.com/me";',
    "typescript": b'const u: string = "https://graph.instagram.com/me";',
    "tsx": b'const a = <A href="https://graph.instagram.com/me" />;',
    "php": b'<?php $u = "https://graph.instagram.com/me";',
    "ruby": b'U = "https://graph.instagram.com/me"',
    "go": b'package x\nconst u = "https://graph.instagram.com/me"\n',
    "java": b'class A { static final String U = "https://graph.instagram.com/me"; }',
    "kotlin": b'const val U = "https://graph.instagram.com/me"',
    "swift": b'let u = "https://graph.instagram.com/me"',
    "csharp": b'class A { const string U = "https://graph.instagram.com/me"; }',
    "dart": b"const u = 'https://graph.instagram.com/me';",
}


def test_every_declared_grammar_loads_and_parses_its_language():
    names = {g.name for g in grammars.grammars()}
    assert names == set(SAMPLES)
    for name, source in SAMPLES.items():
        tree = grammars.parse(name, source)
        assert not tree.root_node.has_error, name
        assert b"graph.instagram.com" in tree.root_node.text


@pytest.mark.parametrize("filename, expected", [
    ("src/api.ts", "typescript"), ("App.TSX", "tsx"), ("a/b/Client.kt", "kotlin"),
    ("build.gradle.kts", "kotlin"), ("Rakefile", "ruby"), ("x.vue", None), ("x.py", None),
    ("noext", None),
])
def test_files_map_to_grammars_by_name_then_extension(filename, expected):
    assert grammars.grammar_for(filename) == expected


def test_unknown_grammar_is_one_clear_error():
    with pytest.raises(grammars.GrammarError, match="unknown grammar 'cobol'"):
        grammars.parser("cobol")


def test_grammars_and_flow_engine_are_not_imported_by_a_python_only_scan(tmp_path):
    (tmp_path / "a.py").write_text('SCOPE = "user_profile,user_media"\n')
    code = (
        "import sys\n"
        "from igmigrate.scanner import ScanOptions, scan\n"
        "from pathlib import Path\n"
        f"scan(ScanOptions(paths=[Path({str(tmp_path)!r})]))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('tree_sitter', 'igmigrate.analyzers.flow.analyzer',"
        " 'igmigrate.analyzers.flow.lower'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
