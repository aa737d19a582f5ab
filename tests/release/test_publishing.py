"""The built package and its publication: two builds give the same bytes, and `telnyx-codegen
publish` (what `make publish` runs) uploads to a real package index, pypiserver on
127.0.0.1 with password authentication, from which pip then installs the release into a
fresh virtual environment."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support.cli import run
from support.servers import free_port, wait_listening

from generator.cli import main
from generator.publishing import INDEX_URL_ENV, files_on_index, simple_url, source_date_epoch

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
VERSION = str(yaml.safe_load((ROOT / "spec" / "sdk.yaml").read_text())["version"])


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.publishing import build

    target = tmp_path_factory.mktemp("dist")
    build(GENERATED, target)
    return target


def _archive_entries(path: Path) -> list[tuple[str, int, tuple[int, ...]]]:
    if path.suffix == ".whl":
        return [
            (i.filename, i.external_attr >> 16, i.date_time)
            for i in zipfile.ZipFile(path).infolist()
        ]
    with tarfile.open(path) as archive:
        return [(m.name, m.mode, (int(m.mtime), m.uid, m.gid)) for m in archive.getmembers()]


def test_two_builds_are_byte_identical(tmp_path: Path, dist: Path) -> None:
    """The second build starts from a copy whose files have other times and permissions;
    the archives are the same bytes, every entry dated at the release date."""
    project = tmp_path / "project"
    shutil.copytree(GENERATED, project, ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache"))
    for path in project.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
        if path.is_file():
            path.chmod(0o664)
    assert main(["build", "--out", str(project), "--dist", str(tmp_path / "again")]) == 0
    first = sorted(p.name for p in dist.iterdir())
    assert first == sorted(p.name for p in (tmp_path / "again").iterdir()) and len(first) == 2
    for name in first:
        assert (dist / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    epoch = source_date_epoch(GENERATED / "CHANGELOG.md")
    sdist = next(dist.glob("*.tar.gz"))
    assert {entry[2] for entry in _archive_entries(sdist)} == {(epoch, 0, 0)}
    assert {mode & 0o777 for _, mode, _ in _archive_entries(sdist)} <= {0o644, 0o755}
    wheel_times = {entry[2] for entry in _archive_entries(next(dist.glob("*.whl")))}
    assert wheel_times == {time.gmtime(epoch)[:6]}


def test_the_build_date_is_the_newest_release_date(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## 1.4.0 (2026-03-02)\n\n- x\n\n## 1.3.9 (2025-01-01)\n")
    assert time.gmtime(source_date_epoch(changelog))[:6] == (2026, 3, 2, 0, 0, 0)
    changelog.write_text("# Changelog\n\nnothing released yet\n")
    with pytest.raises(
        Exception, match=r"CHANGELOG.md: error: no `## VERSION \(YYYY-MM-DD\)` entry"
    ):
        source_date_epoch(changelog)


def test_the_simple_index_of_known_upload_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_CODEGEN_SIMPLE_URL", raising=False)
    assert simple_url("https://upload.pypi.org/legacy/") == "https://pypi.org/simple/"
    assert simple_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/simple/"
    monkeypatch.setenv("TELNYX_CODEGEN_SIMPLE_URL", "https://index.example/+simple")
    assert simple_url("https://index.example/upload/") == "https://index.example/+simple/"


def test_publish_refuses_without_an_index_or_a_changelog_entry(
    dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(INDEX_URL_ENV, raising=False)
    code, _, stderr = run(capsys, "publish", "--dist", dist)
    assert code == 2 and f"{INDEX_URL_ENV} must name the index to upload to" in stderr
    monkeypatch.setenv(INDEX_URL_ENV, "http://127.0.0.1:9/")  # nothing listens: it must stop before
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## 0.0.1 (2026-01-01)\n")
    code, _, stderr = run(capsys, "publish", "--dist", dist, "--changelog", changelog)
    assert (
        code == 2
        and f"CHANGELOG.md: error: no entry for {VERSION}, the version built; "
        "run `make release` (described: 0.0.1)"
        in stderr
    )
    code, _, stderr = run(capsys, "publish", "--dist", tmp_path / "empty")
    assert code == 2 and "expected one wheel and one sdist, found none; run `make build`" in stderr


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """pypiserver on 127.0.0.1: uploads need the password of `maintainer`; packages it does
    not have (the dependencies) it sends on to PyPI, as its default fallback does."""
    packages = tmp_path / "packages"
    packages.mkdir()
    htpasswd = tmp_path / "htpasswd"
    digest = base64.b64encode(hashlib.sha1(b"s3cret").digest()).decode()  # noqa: S324 - htpasswd's {SHA} scheme
    htpasswd.write_text(f"maintainer:{{SHA}}{digest}\n")
    port = free_port()
    log = tmp_path / "pypiserver.log"
    command = [
        sys.executable,
        "-m",
        "pypiserver",
        "run",
        "-p",
        str(port),
        "-i",
        "127.0.0.1",
        "-a",
        "update",
        "-P",
        str(htpasswd),
        "--server",
        "wsgiref",
        str(packages),
    ]
    with open(log, "w") as stream:
        process = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT)
    try:
        failure = wait_listening(process, port, "pypiserver", seconds=30)
        assert failure is None, f"{failure}: {log.read_text()}"
        yield f"http://127.0.0.1:{port}/", packages
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_publish_uploads_once_and_pip_installs_it_from_the_index(
    index: tuple[str, Path],
    dist: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, packages = index
    monkeypatch.setenv(INDEX_URL_ENV, url)
    monkeypatch.delenv("TELNYX_CODEGEN_SIMPLE_URL", raising=False)
    monkeypatch.setenv("TWINE_USERNAME", "maintainer")
    monkeypatch.setenv("TWINE_PASSWORD", "wrong")
    code, _, stderr = run(capsys, "publish", "--dist", dist)
    assert code == 2 and "twine upload failed" in stderr and "403" in stderr, stderr
    assert list(packages.iterdir()) == []

    monkeypatch.setenv("TWINE_PASSWORD", "s3cret")
    code, stdout, stderr = run(capsys, "publish", "--dist", dist)
    assert code == 0, stderr
    assert f"uploaded telnyx-ai {VERSION}" in stdout
    names = sorted(p.name for p in dist.iterdir())
    assert sorted(p.name for p in packages.iterdir()) == names
    assert sorted(files_on_index(simple_url(url), "telnyx-ai")) == names

    code, _, stderr = run(capsys, "publish", "--dist", dist)
    assert code == 2 and f"the index already has telnyx-ai {VERSION}" in stderr

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-cache-dir",
            "--index-url",
            f"{url}simple/",
            f"telnyx-ai=={VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    assert re.search(
        rf"{re.escape(url)}packages/telnyx_ai-{re.escape(VERSION)}-py3-none-any\.whl",
        install.stdout,
    ), install.stdout[-2000:]
    smoke = subprocess.run(
        [str(python), str(ROOT / "tests" / "smoke" / "wheel_smoke.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert smoke.returncode == 0, smoke.stderr
    assert f"smoke test passed: telnyx_ai {VERSION}" in smoke.stdout
