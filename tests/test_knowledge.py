"""The knowledge base is schema-checked: a malformed file stops the tool, naming file and rule."""

import pickle
import shutil
from copy import deepcopy

import pytest
import yaml

from conftest import run_cli, write_tree
from igmigrate import knowledge
from igmigrate.knowledge import KnowledgeBaseError, LazyPattern, default_knowledge_base, load_knowledge_base, rules_dir


@pytest.fixture
def kb_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    return target


def _edit_rules(kb_copy, change):
    path = kb_copy / "rules.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["rules"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_shipped_knowledge_base_loads_with_facts():
    kb = load_knowledge_base()
    assert kb.dates["basic_display_removed"] == "2024-12-04"
    assert kb.dates["legacy_removed"] == "2020-06-29"
    assert kb.dates["old_igl_scopes_removed"] == "2025-01-27"
    assert {"user_profile", "user_media"} <= set(kb.rules["IGM101"].detect.values)


@pytest.mark.parametrize("change,needle", [
    (lambda rules: rules[0].update(severity="fatal"), "rule IGM101: severity 'fatal'"),
    (lambda rules: rules[0].update(id="X1"), "id 'X1'"),
    (lambda rules: rules[1].update(unexpected=1), "rule IGM102: unknown key 'unexpected'"),
    (lambda rules: rules[0]["detect"].update(kind="telepathy"), "rule IGM101: detect.kind"),
    (lambda rules: rules[0].update(examples={"bad": []}), "rule IGM101: examples.bad"),
    (lambda rules: rules.append(dict(rules[0])), "rule IGM101: duplicate rule id"),
    (lambda rules: rules[8]["detect"].update(patterns=["(unclosed"]), "is not a valid regex"),
])
def test_malformed_rule_is_named(kb_copy, change, needle):
    _edit_rules(kb_copy, change)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(kb_copy)
    assert str(info.value).startswith("rules.yaml")
    assert needle in str(info.value)


def test_invalid_yaml_and_missing_file(kb_copy):
    (kb_copy / "packages.yaml").write_text("packages: [\n")
    with pytest.raises(KnowledgeBaseError, match="packages.yaml"):
        load_knowledge_base(kb_copy)
    (kb_copy / "packages.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match="packages.yaml: file missing"):
        load_knowledge_base(kb_copy)


def test_bad_package_range_is_named(kb_copy):
    path = kb_copy / "packages.yaml"
    data = yaml.safe_load(path.read_text())
    data["packages"][0]["affected"] = ["<<1"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError, match=r"packages.yaml: package instagram-basic-display: affected"):
        load_knowledge_base(kb_copy)


def test_cli_exits_2_with_one_line_naming_file_and_rule(kb_copy, tmp_path, monkeypatch):
    _edit_rules(kb_copy, lambda rules: rules[0].update(severity="fatal"))
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "src", {"a.py": "X = 1\n"})
    result = run_cli("scan", "src", env={"IGMIGRATE_RULES_DIR": str(kb_copy)})
    assert result.exit_code == 2
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "rules.yaml: rule IGM101" in lines[0]


def _break_regex(kb_copy) -> str:
    """Give the ninth rule an invalid pattern; returns the message a validating load gives."""
    _edit_rules(kb_copy, lambda rules: rules[8]["detect"].update(patterns=["(unclosed"]))
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(kb_copy)
    return str(info.value)


def test_lazy_regex_fails_on_first_use_with_the_load_time_message(kb_copy):
    message = _break_regex(kb_copy)
    assert message.startswith("rules.yaml: rule IGM") and "'(unclosed' is not a valid regex" in message
    kb = load_knowledge_base(kb_copy, validate=False)
    pattern = next(p for r in kb.rules.values() for p in r.detect.patterns if p.pattern == "(unclosed")
    with pytest.raises(KnowledgeBaseError) as info:
        pattern.search("text")
    assert str(info.value) == message


def test_only_the_packaged_copy_compiles_lazily(kb_copy, monkeypatch):
    message = _break_regex(kb_copy)
    monkeypatch.delenv("IGMIGRATE_RULES_DIR", raising=False)
    monkeypatch.setattr(knowledge, "_packaged_rules", lambda: kb_copy)  # as if installed from a wheel
    assert rules_dir() == kb_copy
    default_knowledge_base()  # loads: the bad regex waits for its first use
    monkeypatch.setenv("IGMIGRATE_RULES_DIR", str(kb_copy))  # a team's own copy is checked at load
    with pytest.raises(KnowledgeBaseError) as info:
        default_knowledge_base()
    assert str(info.value) == message


def test_cli_names_a_bad_regex_in_a_custom_knowledge_base(kb_copy, tmp_path, monkeypatch):
    message = _break_regex(kb_copy)
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "src", {"a.py": "X = 1\n"})
    result = run_cli("scan", "src", env={"IGMIGRATE_RULES_DIR": str(kb_copy)})
    assert result.exit_code == 2
    assert [l for l in result.stderr.splitlines() if l.strip()] == [f"igmigrate: error: {message}"]


def test_lazy_pattern_acts_like_the_compiled_one():
    lazy = LazyPattern(r"^a(\d+)", knowledge.re.MULTILINE, "rules.yaml: test")
    assert lazy.pattern == r"^a(\d+)" and lazy._compiled is None  # reading the source compiles nothing
    assert [m.group(1) for m in lazy.finditer("a1\na22")] == ["1", "22"]
    assert lazy.sub("b", "a1") == "b" and lazy.groups == 1 and lazy.flags & knowledge.re.MULTILINE
    for copy in (pickle.loads(pickle.dumps(lazy)), deepcopy(lazy)):
        assert isinstance(copy, LazyPattern) and copy == lazy and hash(copy) == hash(lazy)
        assert copy.search("a7").group(0) == "a7"
