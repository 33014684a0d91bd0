"""The CI recipes in docs/ci-recipes.md: their YAML has the documented shape, and the shell of
their scan and merge steps runs as written against generated repositories (checkout, clone
URL and artifact transfer simulated with local git remotes and folders)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from git_repos import GIT_ENV, commit, git, init_repo

DOC = Path(__file__).resolve().parents[1] / "docs" / "ci-recipes.md"
REPOS = {  # owner/name -> files; counts differ so the totals are checked for real
    "acme/shop": {"auth.py": 'SCOPE = "user_profile,user_media"\n', "feed.php": "<?php\n$u = 'https://graph.instagram.com/me/media';\n"},
    "acme/blog": {"login.js": "const s = 'user_profile';\nconst u = 'https://api.instagram.com/oauth/authorize?scope=' + s;\n"},
    "acme/payments": {"README.md": "no Instagram here\n"},
}


def recipes() -> dict[str, dict]:
    """YAML blocks of the page by the file name in their first comment line."""
    out = {}
    for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        name = block.splitlines()[0].lstrip("# ").split()[0]
        out[name] = yaml.safe_load(block)
    return out


def _bin_env(tmp_path: Path, extra: dict | None = None) -> dict:
    """PATH with this interpreter's igmigrate first; a private git config."""
    scripts = Path(sys.executable).parent
    gitconfig = tmp_path / "gitconfig"
    return {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": str(gitconfig), "PATH": f"{scripts}{os.pathsep}{os.environ['PATH']}",
            **(extra or {})}


def _sh(script: str, cwd: Path, env: dict) -> None:
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def origins(tmp_path_factory) -> Path:
    """Bare repositories standing in for the organisation's, at host/owner/name.git."""
    base = tmp_path_factory.mktemp("origins")
    for day, (name, files) in enumerate(REPOS.items(), start=1):
        work = init_repo(base / "work" / name)
        commit(work, files, f"2025-04-0{day}T09:00:00+00:00")
        subprocess.run(["git", "clone", "-q", "--bare", str(work), str(base / f"{name}.git")], check=True,
                       env={**os.environ, **GIT_ENV})
    return base


def _check_merged(folder: Path, names: list[str]) -> None:
    html = (folder / "organisation.html").read_text(encoding="utf-8")
    md = (folder / "organisation.md").read_text(encoding="utf-8")
    for name in names:
        assert f"[{name}](#repo-" in md and ">" + name.replace("/", "/<wbr>") + "</a>" in html
    docs = [json.loads(p.read_text()) for p in sorted((folder / "scans").glob("*.json"))]
    assert len(docs) == len(REPOS)
    total = next(line for line in md.splitlines() if line.startswith("| **Total** |"))
    sums = [sum(d["summary"][k] for d in docs) for k in ("errors", "warnings", "notes")]
    assert total.split("|")[2:5] == [f" **{n}** " for n in sums] and sums[0] > 0
    assert "gitlab-ci-token" not in md + html and "s3cret" not in md + html


def test_github_actions_recipe(origins, tmp_path):
    flow = recipes()[".github/workflows/igmigrate-organisation.yml"]
    scan, report = flow["jobs"]["scan"], flow["jobs"]["report"]
    assert scan["strategy"]["matrix"]["repository"] == list(REPOS) and scan["strategy"]["fail-fast"] is False
    steps = {s.get("name") or s["uses"].split("@")[0]: s for s in scan["steps"]}
    assert steps["actions/checkout"]["with"]["repository"] == "${{ matrix.repository }}"
    assert steps["actions/upload-artifact"]["with"]["path"] == "scans/"
    assert report["needs"] == "scan" and report["if"] == "always()"
    merge_steps = {s.get("name") or s["uses"].split("@")[0]: s for s in report["steps"]}
    download = merge_steps["actions/download-artifact"]["with"]
    assert download["merge-multiple"] is True and download["path"] == "scans"
    assert "igmigrate report --from-json scans/*.json" in merge_steps["Merge"]["run"]

    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for index, repository in enumerate(scan["strategy"]["matrix"]["repository"]):
        job = tmp_path / f"job-{index}"
        job.mkdir()
        # actions/checkout: the repository in target/, origin without the token (checkout keeps it in a header)
        subprocess.run(["git", "clone", "-q", str(origins / f"{repository}.git"), str(job / "target")], check=True)
        git(job / "target", "remote", "set-url", "origin", f"https://github.com/{repository}")
        _sh(steps["Scan"]["run"], job, _bin_env(tmp_path, {"REPOSITORY": repository}))
        for saved in (job / "scans").iterdir():  # upload-artifact, then download-artifact with merge-multiple
            shutil.copy(saved, artifacts / saved.name)
    merge = tmp_path / "merge"
    shutil.copytree(artifacts, merge / "scans")
    _sh(merge_steps["Merge"]["run"], merge, _bin_env(tmp_path))
    _check_merged(merge, [f"github.com/{r}" for r in REPOS])


def test_gitlab_ci_recipe(origins, tmp_path):
    pipeline = recipes()[".gitlab-ci.yml"]
    scan, report = pipeline["scan"], pipeline["report"]
    assert pipeline["stages"] == ["scan", "report"]
    assert scan["parallel"]["matrix"] == [{"REPOSITORY": list(REPOS)}] and scan["artifacts"]["paths"] == ["scans/"]
    assert report["needs"] == ["scan"] and report["when"] == "always" and report["stage"] == "report"
    assert any("igmigrate" in line for line in pipeline[".igmigrate"]["before_script"])

    # The clone line runs as written: git rewrites the GitLab URL (token and all) to the local origins.
    env = _bin_env(tmp_path, {"CI_JOB_TOKEN": "s3cret-job-token"})
    subprocess.run(["git", "config", "--global", f"url.{origins}/.insteadOf",
                    "https://gitlab-ci-token:s3cret-job-token@gitlab.example.com/"], env=env, check=True)
    merge = tmp_path / "merge"
    (merge / "scans").mkdir(parents=True)
    for index, repository in enumerate(scan["parallel"]["matrix"][0]["REPOSITORY"]):
        job = tmp_path / f"job-{index}"
        job.mkdir()
        _sh("\n".join(scan["script"]), job, {**env, "REPOSITORY": repository})
        assert "s3cret" in git(job / "target", "remote", "get-url", "origin")  # the clone URL holds the token
        for saved in (job / "scans").iterdir():  # artifacts of the needed jobs, extracted into the merge job
            shutil.copy(saved, merge / "scans" / saved.name)
    _sh("\n".join(report["script"]), merge, env)
    _check_merged(merge, [f"gitlab.example.com/{r}" for r in REPOS])
