"""Text output: `path:line:col: severity[RULE] message` lines, a caret frame, fixes once per
rule, correct plurals, and scanned content that can never drive the terminal."""

import re

from conftest import run_cli

BD = 'SCOPE = "user_profile,user_media"\nAUTH = "https://api.instagram.com/oauth/authorize"\n'
LOCATION = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|note)\[(?P<rule>IGM\d+)\] \S")


def test_one_line_per_finding_that_editors_can_jump_to(project):
    project({"a.py": BD, "sub/b.py": "\n\n" + BD})
    out = run_cli("scan", ".", "--no-cache").stdout
    located = [m.groupdict() for m in map(LOCATION.match, out.splitlines()) if m]
    assert {(d["path"], d["line"]) for d in located} >= {("a.py", "1"), ("sub/b.py", "3")}
    assert all(d["col"] != "0" for d in located)


def test_carets_sit_under_the_match(project):
    project({"a.py": '\tSCOPE   =   "user_profile,user_media"\n'})
    lines = run_cli("scan", ".", "--no-cache").stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if LOCATION.match(line))
    snippet, carets = lines[head + 1], lines[head + 2]
    code = snippet.split("| ", 1)[1]
    marks = carets.split("| ", 1)[1]
    assert code.startswith("SCOPE") and marks.strip() == "^" * len('"user_profile,user_media"')
    assert code[len(marks) - len(marks.lstrip()):].startswith('"user_profile')


def test_fix_text_appears_once_per_rule_in_a_footer(project):
    project({f"m{i}.py": BD for i in range(4)})
    out = run_cli("scan", ".", "--no-cache").stdout
    footer = out[out.index("Fixes:"):]
    assert out.count("instagram_business_basic (Instagram API with Instagram Login) instead of") == 1
    assert "IGM101" in footer


def test_plurals(project):
    project({"a.py": 'SCOPE = "user_profile,user_media"\n'})
    last = run_cli("scan", "a.py", "--no-cache").stdout.strip().splitlines()[-1]
    assert last.startswith("1 error, 0 warnings, 0 notes (0 suppressed) in 1 file;")
    project({"b.py": "X = 1\n"})
    last = run_cli("scan", ".", "--no-cache").stdout.strip().splitlines()[-1]
    assert " in 2 files;" in last
    md = run_cli("scan", "a.py", "--no-cache", "--format", "markdown").stdout
    assert md.startswith("### igmigrate: 1 error, 0 warnings, 0 notes (0 suppressed) in 1 file\n")


ESC_SNIPPET = 'SCOPE = "user_profile,user_media"  # \x1b]0;owned\x07\x1b[2J\x9b31m\u202e\n'


def test_escape_sequences_never_reach_the_terminal(project):
    project({"evil\x1b[2J.py": ESC_SNIPPET})
    for fmt in ("text", "github", "markdown"):
        for colour in ("never", "always"):
            out = run_cli("scan", ".", "--no-cache", "--format", fmt, "--color", colour).stdout
            scrubbed = re.sub(r"\x1b\[[0-9;]*m", "", out)  # our own colour codes are the only escapes
            assert "\x1b" not in scrubbed and "\x07" not in out and "\x9b" not in out and "\u202e" not in out, fmt
            assert "evil\\x1b[2J.py" in out and "\\x1b]0;owned\\x07" in out or fmt != "text"
