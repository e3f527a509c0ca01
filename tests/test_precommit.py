"""The pre-commit hook, installed and run by the real pre-commit from this checkout.

``pre-commit try-repo REPO healthlint --files ...`` clones REPO, makes a
virtualenv for the hook (virtualenv seeds pip from its own wheels, no
network) and runs ``pip install .`` in the clone. That install needs, from an
index, the build backend (hatchling, in pip's isolated build environment) and
healthlint's dependencies.

REPO is a one-commit git copy of this checkout's working tree (tracked and
untracked files, less what .gitignore ignores). Pointed at the checkout
itself, try-repo would clone HEAD plus a shadow commit of the changes to
tracked files only, so a module not yet committed would be missing from the
hook and the test would not test the code in front of it.

To run with no network, the test gives pip a wheelhouse instead of an index
(``PIP_NO_INDEX=1``, ``PIP_FIND_LINKS``): each distribution of that closure
(``[build-system] requires`` and ``[project] dependencies`` of
pyproject.toml, with their own requirements) is repacked from the files this
environment has installed, with ``wheel pack``. The ``[test]`` extra installs
hatchling and wheel so that the closure is complete. When a distribution of it
is not installed here, the test lets pip use its index, and skips if pip
cannot reach one.

``try-repo`` keeps its store in a temporary folder of its own, so each run
installs the hook again (about 10-20 s each); ``PRE_COMMIT_HOME`` points at a
temporary folder all the same, so nothing is written to the user's cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover (3.10)
    import tomli as tomllib

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
from packaging.requirements import Requirement  # noqa: E402 (pytest's own dependency)
from packaging.utils import canonicalize_name  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

BAD_POST = """\
# Ginger tea for winter colds

Ginger tea cures colds in a day.

This article is for informational purposes only and is not medical advice.
"""

BAD_MDX = """\
# Honey for coughs

Honey cures coughs.

This article is for informational purposes only and is not medical advice.
"""

GOOD_POST = """\
# Ginger tea for winter colds

Some people find that a warm cup of ginger tea is soothing when they have a cold.

This article is for informational purposes only and is not medical advice.
"""

# What pip says when it cannot reach an index (or the index has nothing for it).
NO_INDEX_SIGNS = (
    "No matching distribution found",
    "Could not find a version that satisfies",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ProxyError",
    "ConnectTimeoutError",
)


def _git_work_tree(path: Path) -> bool:
    if shutil.which("git") is None:
        return False
    proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--is-inside-work-tree"],
                          capture_output=True, text=True)
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def _closure(requirements: List[str]) -> Tuple[Dict[str, metadata.Distribution], List[str]]:
    """Installed distributions needed by ``requirements`` (recursively), and the names not installed here."""
    found: Dict[str, metadata.Distribution] = {}
    missing: List[str] = []
    queue = list(requirements)
    while queue:
        req = Requirement(queue.pop())
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        key = canonicalize_name(req.name)
        if key in found or key in missing:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            missing.append(key)
            continue
        found[key] = dist
        queue.extend(dist.requires or [])
    return found, missing


def _repack(dist: metadata.Distribution, work: Path, wheelhouse: Path) -> None:
    """Rebuild the wheel ``dist`` was installed from, out of its installed files (RECORD), with ``wheel pack``."""
    tree = work / canonicalize_name(dist.metadata["Name"])
    for file in dist.files or []:
        parts = file.parts
        if parts[0] == ".." or "__pycache__" in parts:
            continue  # console scripts (made again from entry_points.txt), byte code
        if parts[0].endswith(".dist-info") and file.name in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json"):
            continue  # written by the installer, not part of the wheel
        source = Path(dist.locate_file(file))
        if source.is_file():
            target = tree.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    subprocess.run([sys.executable, "-m", "wheel", "pack", str(tree), "--dest-dir", str(wheelhouse)],
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> Optional[Path]:
    """A folder of wheels pip can install the hook from offline, or None when some are not installed here."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = list(pyproject["build-system"]["requires"]) + list(pyproject["project"]["dependencies"])
    found, missing = _closure(requirements)
    if missing or not _closure(["wheel"])[0]:
        return None
    house = tmp_path_factory.mktemp("wheelhouse")
    work = tmp_path_factory.mktemp("unpacked")
    for dist in found.values():
        _repack(dist, work, house)
    return house


GIT_IDENTITY = ["-c", "user.name=healthlint tests", "-c", "user.email=tests@healthlint.invalid",
                "-c", "commit.gpgsign=false"]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A git repository with one commit holding this checkout's working tree (what pre-commit installs from)."""
    if not _git_work_tree(ROOT):
        pytest.skip("the checkout is not a git work tree: the test copies its files with git ls-files")
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            check=True, capture_output=True).stdout.decode("utf-8", "surrogateescape")
    copy = tmp_path_factory.mktemp("healthlint-checkout")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run(["git", "init", "-q", str(copy)], check=True)
    subprocess.run(["git", "-C", str(copy), "add", "-A"], check=True)
    subprocess.run(["git", *GIT_IDENTITY, "-C", str(copy), "commit", "-q", "--no-verify", "-m", "working tree"],
                   check=True)
    return copy


@pytest.fixture
def blog(tmp_path) -> Path:
    """A throwaway git repository holding a bad post, a bad MDX post, a good post and a text file."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit needs it")
    repo = tmp_path / "blog"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "bad.md").write_text(BAD_POST, encoding="utf-8")
    (repo / "draft.mdx").write_text(BAD_MDX, encoding="utf-8")
    (repo / "good.md").write_text(GOOD_POST, encoding="utf-8")
    (repo / "notes.txt").write_text("Honey cures coughs.\n", encoding="utf-8")
    return repo


def try_repo(checkout: Path, repo: Path, files: List[str], wheelhouse: Optional[Path],
             tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``pre-commit try-repo CHECKOUT healthlint --files FILES`` in ``repo``; ``.output`` has everything it said."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "HEALTHLINT", "PRE_COMMIT", "VIRTUAL_ENV", "PYTHONPATH"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if wheelhouse is not None:
        env["PIP_NO_INDEX"] = "1"
        env["PIP_FIND_LINKS"] = str(wheelhouse)
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(checkout), "healthlint", "--color", "never",
         "--verbose", "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )
    output = proc.stdout + proc.stderr
    log = Path(env["PRE_COMMIT_HOME"]) / "pre-commit.log"
    if log.is_file():
        output += log.read_text(encoding="utf-8", errors="replace")
    if wheelhouse is None and proc.returncode not in (0, 1) and any(s in output for s in NO_INDEX_SIGNS):
        pytest.skip("some build or run dependencies of the hook are not installed here and pip could not "
                    "reach a package index to install them; install the [test] extra to run offline")
    proc.output = output
    return proc


def test_hook_fails_on_a_bad_post_and_names_the_rule(checkout, blog, wheelhouse, tmp_path):
    proc = try_repo(checkout, blog, ["bad.md", "draft.mdx", "notes.txt"], wheelhouse, tmp_path)
    assert proc.returncode == 1, proc.output
    assert "healthlint" in proc.stdout and "Failed" in proc.stdout
    # the hook's own output: both Markdown and MDX posts are linted (types_or), the .txt file is not passed
    assert "bad.md:3:12: error claims.cure" in proc.stdout
    assert "draft.mdx:3:7: error claims.cure" in proc.stdout
    assert "notes.txt" not in proc.stdout


def test_hook_passes_on_a_good_post(checkout, blog, wheelhouse, tmp_path):
    proc = try_repo(checkout, blog, ["good.md"], wheelhouse, tmp_path)
    assert proc.returncode == 0, proc.output
    assert "Passed" in proc.stdout
    assert "claims." not in proc.stdout
