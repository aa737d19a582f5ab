"""The built package: reproducible wheel and sdist of the generated project, and their
upload to a package index.

`build` makes the same bytes from the same tree: the project is copied to a scratch folder
with normalised permissions and the time of every archive entry is the release date of the
newest changelog entry (SOURCE_DATE_EPOCH, which the build backend honours). `publish`
uploads with twine, but only a version the changelog describes and the index does not have
yet: an index never takes back a version, so a wrong upload cannot be repaired.
"""

from __future__ import annotations

import calendar
import datetime
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .writing import NOT_OURS, NOT_OURS_SUFFIXES

INDEX_URL_ENV = "TELNYX_CODEGEN_INDEX_URL"
SIMPLE_URL_ENV = "TELNYX_CODEGEN_SIMPLE_URL"
_ENTRY = re.compile(
    r"^## (?P<version>\d+\.\d+\.\d+\S*) \((?P<date>\d{4}-\d{2}-\d{2})\)", re.MULTILINE
)
# The upload URLs of PyPI and TestPyPI differ from their simple indexes.
_KNOWN_SIMPLE = {
    "https://upload.pypi.org/legacy/": "https://pypi.org/simple/",
    "https://test.pypi.org/legacy/": "https://test.pypi.org/simple/",
}


class PublishError(Exception):
    """What stops a build or an upload, said so that the maintainer knows what to do."""


@dataclass(frozen=True)
class Entry:
    version: str
    date: str


def changelog_entries(changelog: Path) -> list[Entry]:
    """The `## VERSION (DATE)` entries of the changelog, newest first."""
    try:
        text = changelog.read_text(encoding="utf-8")
    except OSError as exc:
        raise PublishError(
            f"{changelog}: error: cannot read the changelog: {exc.strerror}"
        ) from None
    return [Entry(m["version"], m["date"]) for m in _ENTRY.finditer(text)]


def source_date_epoch(changelog: Path) -> int:
    """Midnight (UTC) of the newest release's date: the time of every file in the archives."""
    entries = changelog_entries(changelog)
    if not entries:
        raise PublishError(
            f"{changelog}: error: no `## VERSION (YYYY-MM-DD)` entry; run `make release` first"
        )
    try:
        day = datetime.date.fromisoformat(entries[0].date)
    except ValueError:
        raise PublishError(
            f"{changelog}: error: {entries[0].date!r} of {entries[0].version} is not a date"
        ) from None
    return calendar.timegm(day.timetuple())


def _copy_project(project: Path, into: Path) -> None:
    """The project without caches and build leftovers, files 0644 (0755 where executable)
    and folders 0755 whatever the umask or checkout gave them."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {
            n
            for n in names
            if n in NOT_OURS and n != "CHANGELOG.md" or n.endswith(NOT_OURS_SUFFIXES)
        }

    shutil.copytree(project, into, ignore=ignore)
    for root, dirs, files in os.walk(into):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            path = os.path.join(root, name)
            os.chmod(path, 0o755 if os.stat(path).st_mode & 0o100 else 0o644)


def build(project: Path, dist: Path) -> list[Path]:
    """Wheel and sdist of `project` into `dist` (emptied first), checked by twine."""
    epoch = source_date_epoch(project / "CHANGELOG.md")
    if dist.exists():
        shutil.rmtree(dist)
    with tempfile.TemporaryDirectory(prefix="telnyx-codegen-build-") as scratch:
        source = Path(scratch) / "src"
        _copy_project(project, source)
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "build",
                "--no-isolation",
                "--outdir",
                str(dist.resolve()),
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise PublishError(
                f"{project}: error: the build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
    files = sorted(dist.iterdir())
    _twine("check", "--strict", *map(str, files))
    return files


def _twine(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "twine", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise PublishError(
            f"twine {args[0]} failed:\n{(done.stdout + done.stderr).strip()[-3000:]}"
        )
    return done.stdout


@dataclass(frozen=True)
class Distribution:
    name: str  # normalised (PEP 503): lower case, runs of -_. as one -
    version: str
    files: tuple[Path, ...]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_dist(dist: Path) -> Distribution:
    """The one wheel and one sdist of one version that `dist` must hold."""
    files = (
        sorted(p for p in dist.glob("*") if p.suffix == ".whl" or p.name.endswith(".tar.gz"))
        if dist.is_dir()
        else []
    )
    wheels = [p for p in files if p.suffix == ".whl"]
    sdists = [p for p in files if p.name.endswith(".tar.gz")]
    if len(wheels) != 1 or len(sdists) != 1:
        raise PublishError(
            f"{dist}: error: expected one wheel and one sdist, found "
            f"{[p.name for p in files] or 'none'}; run `make build`"
        )
    wheel, sdist = release_of(wheels[0].name), release_of(sdists[0].name)
    if wheel is None or wheel != sdist:
        raise PublishError(
            f"{dist}: error: the wheel ({wheels[0].name}) and the sdist ({sdists[0].name}) "
            "are not of one release"
        )
    return Distribution(*wheel, (wheels[0], sdists[0]))


def release_of(filename: str) -> tuple[str, str] | None:
    """(normalised project name, version) of a wheel's or sdist's file name; None for
    any other file."""
    if filename.endswith(".whl"):
        parts = filename.split("-")
        return (_normalise(parts[0]), parts[1]) if len(parts) >= 5 else None
    stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
    name, _, version = stem.rpartition("-")
    return (_normalise(name), version) if name and stem != filename else None


def simple_url(index_url: str) -> str:
    """Where the index lists its files (PEP 503): given, known, or `simple/` under the URL."""
    given = os.environ.get(SIMPLE_URL_ENV)
    if given:
        return given.rstrip("/") + "/"
    return _KNOWN_SIMPLE.get(index_url, index_url.rstrip("/") + "/simple/")


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.names.append(
                urllib.parse.unquote(urllib.parse.urlsplit(href).path.rsplit("/", 1)[-1])
            )


def files_on_index(simple: str, project: str) -> list[str]:
    """The file names the index has for `project` (none when it does not know it)."""
    url = f"{simple}{project}/"
    request = urllib.request.Request(
        url, headers={"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the maintainer's index
            body = response.read()
            kind = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return []
        raise PublishError(f"{url}: error: the index answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise PublishError(
            f"{url}: error: cannot reach the index: {getattr(exc, 'reason', exc)}"
        ) from None
    if kind == "application/vnd.pypi.simple.v1+json":
        return [str(f["filename"]) for f in json.loads(body).get("files", [])]
    links = _Links()
    links.feed(body.decode("utf-8", "replace"))
    return links.names


def publish(dist: Path, changelog: Path) -> Distribution:
    """Upload the built release to the index named by TELNYX_CODEGEN_INDEX_URL; twine takes
    the credentials from its usual variables (TWINE_USERNAME, TWINE_PASSWORD) or, on a
    CI with trusted publishing, from the CI's identity."""
    index_url = os.environ.get(INDEX_URL_ENV, "")
    if not index_url.startswith(("http://", "https://")):
        raise PublishError(
            f"{INDEX_URL_ENV} must name the index to upload to (an http(s) URL), not {index_url!r}"
        )
    release = read_dist(dist)
    described = [e.version for e in changelog_entries(changelog)]
    if release.version not in described:
        raise PublishError(
            f"{changelog}: error: no entry for {release.version}, the version built; run "
            f"`make release` (described: {', '.join(described[:5]) or 'none'})"
        )
    simple = simple_url(index_url)
    taken = [
        name
        for name in files_on_index(simple, release.name)
        if release_of(name) == (release.name, release.version)
    ]
    if taken:
        raise PublishError(
            f"{simple}{release.name}/: error: the index already has {release.name} "
            f"{release.version} ({', '.join(sorted(taken))}); an index never takes a version "
            "back: release a new one"
        )
    _twine(
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        index_url,
        *map(str, release.files),
    )
    return release
