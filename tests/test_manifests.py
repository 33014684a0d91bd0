"""Dependency manifests and lock files, with version ranges."""

import pytest

from conftest import scan_json
from igmigrate.versions import affected, lowest_admitted, parse_version


@pytest.mark.parametrize("constraint,low", [
    ("^1.1", (1, 1)), ("~> 1.3", (1, 3)), (">=2.0,<3", (2,)), ("5.0.*", (5,)), ("*", None), ("<2.0", (0,)),
    ("v1.80.0", (1, 80)), ("==1.2.0", (1, 2)), ("1.x || ^2.0", (1,)), ("dev-main", None),
])
def test_lowest_admitted(constraint, low):
    assert lowest_admitted(constraint) == low


def test_ranges():
    assert affected(parse_version("5.0.3"), (">=5.0.0,<5.1.0",))
    assert not affected(parse_version("5.1.0"), (">=5.0.0,<5.1.0",))
    assert affected(parse_version("2.4.2"), ("<2.4.3", ">=2.5.0,<2.5.2"))
    assert not affected(parse_version("2.4.3"), ("<2.4.3", ">=2.5.0,<2.5.2"))


def _rules(doc, name):
    return sorted((f["rule_id"], f["severity"], f["line"]) for f in doc["findings"] if f["path"].endswith(name))


def test_socialite_version_threshold_from_lock_file(project):
    doc = scan_json(project({
        "old/composer.lock": '{"packages": [{"name": "socialiteproviders/instagram", "version": "5.0.3"}]}',
        "new/composer.lock": '{"packages": [{"name": "socialiteproviders/instagram", "version": "5.1.0"}]}',
    }))
    assert _rules(doc, "old/composer.lock") == [("IGM103", "error", 1)]
    assert _rules(doc, "new/composer.lock") == []


@pytest.mark.parametrize("name,text,rule", [
    ("requirements-dev.txt", "instagram-basic-display==1.2.0\n", "IGM103"),
    ("Pipfile", '[packages]\ninstagram_basic_display = "*"\n', "IGM103"),
    ("Pipfile.lock", '{"default": {"instagram-basic-display": {"version": "==1.2.0"}}}', "IGM103"),
    ("poetry.lock", '[[package]]\nname = "instagram-basic-display"\nversion = "1.2.0"\n', "IGM103"),
    ("setup.cfg", "[options]\ninstall_requires =\n    instagram-basic-display>=1.0\n", "IGM103"),
    ("setup.py", "from setuptools import setup\nsetup(name='x', install_requires=['instagram-basic-display>=1.0'])\n", "IGM103"),
    ("package-lock.json", '{"packages": {"node_modules/instafeed.js": {"version": "1.4.1"}}}', "IGM206"),
    ("yarn.lock", 'instafeed.js@^2.0.0:\n  version "2.0.0"\n', "IGM105"),
    ("Gemfile.lock", "GEM\n  specs:\n    omniauth-instagram (1.3.0)\n", "IGM206"),
    ("build.gradle", "dependencies { implementation 'com.restfb:restfb:2024.7.0' }\n", "IGM103"),
    ("packages.config", '<packages><package id="AspNet.Security.OAuth.Instagram" version="3.1.3" /></packages>', "IGM103"),
    ("x.gemspec", "Gem::Specification.new do |s|\n  s.add_dependency 'omniauth-instagram', '~> 1.0'\nend\n", "IGM206"),
])
def test_manifest_formats(project, name, text, rule):
    extra = {"Gallery.java": "import com.restfb.DefaultInstagramClient;\n"} if "gradle" in name else {}
    doc = scan_json(project({name: text, **extra}))
    assert rule in {f["rule_id"] for f in doc["findings"] if f["path"].endswith(name)}, doc


def test_conditional_package_is_a_note_when_its_instagram_part_is_unused(project):
    doc = scan_json(project({"pom.xml": "<project><dependencies><dependency><groupId>com.restfb</groupId>"
                                        "<artifactId>restfb</artifactId><version>2024.7.0</version>"
                                        "</dependency></dependencies></project>"}))
    assert [f["severity"] for f in doc["findings"]] == ["note"]


def test_a_package_is_not_its_own_dependency(project):
    doc = scan_json(project({"composer.json": '{"name": "espresso-dev/instagram-basic-display-php", "require": {}}',
                             "src/X.php": "<?php\nuse EspressoDev\\InstagramBasicDisplay\\InstagramBasicDisplay;\n"}))
    assert not [f for f in doc["findings"] if f["rule_id"] in ("IGM103", "IGM104")]


def test_broken_manifest_is_reported_not_fatal(project):
    doc = scan_json(project({"package.json": '{"dependencies": {"instafeed.js": ', "a.py": 'SCOPE = "user_profile"\n'}))
    assert any(e["path"] == "package.json" and "manifest" in e["message"] for e in doc["errors"])
    assert any(f["rule_id"] == "IGM101" for f in doc["findings"])


def test_setup_cfg_reads_packages_on_the_lines_after_the_key(project):
    text = ("[metadata]\nname = crossposter\n\n[options]\ninstall_requires = \n    requests>=2\n"
            "    instagram-basic-display\n    pyyaml\npackages = find:\n\n"
            "[options.extras_require]\nfeed =\n    instafeed-helper\n    python-instagram==1.3.2\n")
    doc = scan_json(project({"setup.cfg": text}))
    found = sorted((f["rule_id"], f["line"], f["column"]) for f in doc["findings"])
    assert found == [("IGM103", 7, 5), ("IGM206", 14, 5)], found


def test_broken_setup_cfg_is_reported_with_its_name(project):
    doc = scan_json(project({"setup.cfg": "install_requires = instagram-basic-display\n"}))
    assert [e["path"] for e in doc["errors"]] == ["setup.cfg"], doc


def test_requirements_file_naming_the_project_itself_is_a_dependency(project):
    # The package's own setup.py names it; a sample app's requirements.txt pins the release.
    doc = scan_json(project({
        "setup.py": "from setuptools import setup\nsetup(name='python-instagram', install_requires=['httplib2'])\n",
        "requirements.txt": "bottle==0.12\npython-instagram==1.1.3\n",
    }))
    assert [(f["path"], f["rule_id"], f["line"]) for f in doc["findings"]] == [("requirements.txt", "IGM206", 2)]
