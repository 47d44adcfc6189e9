"""`timeline init`: the starter site, its refusal to overwrite, and its GitHub Pages workflow."""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import tomllib
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO
from timeline import new_site
from timeline.build import build_site
from timeline.cli import main
from timeline.config import load_config

STARTER = {".github/workflows/pages.yml", ".gitignore", "timeline.toml", "content/founding-of-the-united-nations.md"}
GIT_SPEC = "timeline @ git+https://github.com/example/timeline@v0.1.0"


def run_init(*args: str):
    return CliRunner().invoke(main, ["init", *args])


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def workflow(site: Path) -> dict:
    document = yaml.safe_load((site / ".github/workflows/pages.yml").read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    document["on"] = document.pop(True)
    return document


def steps_by_action(job: dict) -> dict[str, dict]:
    return {step["uses"].split("@")[0]: step for step in job["steps"] if "uses" in step}


def test_init_creates_a_site_that_builds(tmp_path):
    site = tmp_path / "my-timeline"
    result = run_init(str(site), "--package", GIT_SPEC)
    assert result.exit_code == 0, result.output
    assert files_under(site) == STARTER
    config = load_config(site, today=date(2026, 11, 28))
    assert config.title == "My timeline"
    assert tomllib.loads((site / "timeline.toml").read_text())  # commented, and valid TOML
    ignored = (site / ".gitignore").read_text().split()
    assert "output/" in ignored and ".timeline-cache/" in ignored

    built = build_site(config)
    assert built.site_written and not [p for p in built.problems if p.severity in ("error", "warning")]
    assert len(built.articles) == 1
    days = {entry.span.start.isoformat() for entry in built.timeline.entries if entry.span.precision == "day"}
    assert {"1945-06-26", "1945-10-24", "1946-01-10"} <= days
    assert (site / "output" / "index.html").is_file() and (site / "output" / "404.html").is_file()


def test_init_refuses_to_overwrite_and_names_the_files(tmp_path):
    (tmp_path / "timeline.toml").write_text('title = "Mine"\n')
    (tmp_path / ".gitignore").write_text("mine/\n")
    result = run_init(str(tmp_path))
    assert result.exit_code == 1
    assert "timeline.toml" in result.output and ".gitignore" in result.output and "--force" in result.output
    assert "content/founding" not in result.output  # only the files that exist are named
    # Nothing was written, not even the files that did not exist.
    assert files_under(tmp_path) == {"timeline.toml", ".gitignore"}
    assert (tmp_path / "timeline.toml").read_text() == 'title = "Mine"\n'


def test_init_force_overwrites_the_starter_files_only(tmp_path):
    (tmp_path / "timeline.toml").write_text('title = "Mine"\n')
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "mine.md").write_text("# Mine\n")
    result = run_init(str(tmp_path), "--force")
    assert result.exit_code == 0, result.output
    assert load_config(tmp_path).title == "My timeline"
    assert (tmp_path / "content" / "mine.md").read_text() == "# Mine\n"
    assert files_under(tmp_path) == STARTER | {"content/mine.md"}


def test_init_defaults_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_init().exit_code == 0
    assert files_under(tmp_path) == STARTER


def test_workflow_builds_with_the_pages_base_url_and_deploys_the_output(tmp_path):
    assert run_init(str(tmp_path), "--package", GIT_SPEC).exit_code == 0
    flow = workflow(tmp_path)

    assert "push" in flow["on"] and "workflow_dispatch" in flow["on"]
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert flow["concurrency"]["group"] == "pages"
    assert set(flow["jobs"]) == {"build", "deploy"}

    build = flow["jobs"]["build"]
    actions = steps_by_action(build)
    assert list(actions) == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
    ]
    majors = {name: int(step["uses"].split("@v")[1]) for name, step in actions.items()}
    assert majors == {
        "actions/checkout": 7,
        "actions/setup-python": 7,
        "actions/configure-pages": 6,
        "actions/upload-pages-artifact": 5,
    }
    python = tuple(int(n) for n in str(actions["actions/setup-python"]["with"]["python-version"]).split("."))
    required = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python >= tuple(int(n) for n in required.removeprefix(">=").split("."))

    # Order: install and configure before the build, which comes before the upload.
    names = [step.get("uses", step.get("run", "")) for step in build["steps"]]
    run_steps = [step["run"] for step in build["steps"] if "run" in step]
    install, build_command = run_steps
    assert "pip install" in install and '"$TIMELINE_PACKAGE"' in install
    pages_id = actions["actions/configure-pages"]["id"]
    assert f'--base-url "${{{{ steps.{pages_id}.outputs.base_url }}}}"' in build_command
    assert build_command.startswith("timeline build")
    position = {text: i for i, text in enumerate(names)}
    assert position[install] < position[build_command] < position[actions["actions/upload-pages-artifact"]["uses"]]
    assert position[actions["actions/configure-pages"]["uses"]] < position[build_command]
    assert actions["actions/upload-pages-artifact"]["with"]["path"].rstrip("/") == "output"
    assert load_config(tmp_path).output_dir == (tmp_path / "output").resolve()

    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    (step,) = deploy["steps"]
    assert step["uses"] == "actions/deploy-pages@v5"
    assert deploy["environment"] == {"name": "github-pages", "url": f"${{{{ steps.{step['id']}.outputs.page_url }}}}"}

    assert flow["env"]["TIMELINE_PACKAGE"] == f"${{{{ vars.TIMELINE_PACKAGE || '{GIT_SPEC}' }}}}"


def run_step(command: str, site: Path, **env: str) -> subprocess.CompletedProcess:
    """A workflow step's shell command, run here: `timeline` is this checkout."""
    command = command.replace("timeline build", f"{sys.executable} -m timeline build")
    environment = {**os.environ, "PYTHONPATH": str(REPO), **env}
    return subprocess.run(["bash", "-e", "-c", command], cwd=site, env=environment, capture_output=True, text=True, timeout=120)


def test_workflow_build_step_runs_and_uses_the_base_url(tmp_path):
    assert run_init(str(tmp_path), "--package", GIT_SPEC).exit_code == 0
    build = workflow(tmp_path)["jobs"]["build"]
    pages_id = next(s["id"] for s in build["steps"] if s.get("uses", "").startswith("actions/configure-pages"))
    command = build["steps"][[s.get("name") for s in build["steps"]].index("Build the site")]["run"]
    # What configure-pages gives for a project site: no trailing slash.
    command = command.replace(f"${{{{ steps.{pages_id}.outputs.base_url }}}}", "https://example.github.io/my-repo")
    done = run_step(command, tmp_path)
    assert done.returncode == 0, done.stderr

    class Links(HTMLParser):
        def __init__(self, text):
            super().__init__()
            self.found = {}
            self.feed(text)

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "link":
                self.found[a.get("rel")] = a.get("href")

    not_found = Links((tmp_path / "output" / "404.html").read_text())
    assert not_found.found["stylesheet"] == "/my-repo/static/style.css"
    index = Links((tmp_path / "output" / "index.html").read_text())
    assert index.found["canonical"] == "https://example.github.io/my-repo/"
    assert index.found["stylesheet"] == "static/style.css"


def test_workflow_install_step_stops_with_a_clear_error_when_no_package_is_set(tmp_path):
    # Running from a source checkout: there is no requirement GitHub could install from.
    assert run_init(str(tmp_path), "--package", "").exit_code == 0
    flow = workflow(tmp_path)
    assert flow["env"]["TIMELINE_PACKAGE"] == "${{ vars.TIMELINE_PACKAGE || '' }}"
    install = next(s["run"] for s in flow["jobs"]["build"]["steps"] if "pip install" in s.get("run", ""))
    done = run_step(install, tmp_path, TIMELINE_PACKAGE="")
    assert done.returncode == 1
    assert "::error::" in done.stdout and "TIMELINE_PACKAGE" in done.stdout


def test_init_rejects_a_package_requirement_that_would_break_the_workflow(tmp_path):
    result = run_init(str(tmp_path), "--package", "timeline' }}")
    assert result.exit_code == 1 and "may not contain quotes" in result.output
    assert files_under(tmp_path) == set()


class FakeDistribution:
    def __init__(self, version: str, direct_url: dict | None):
        self.version = version
        self.direct_url = direct_url

    def read_text(self, name):
        assert name == "direct_url.json"
        return None if self.direct_url is None else json.dumps(self.direct_url)


@pytest.mark.parametrize(
    "direct_url, expected",
    [
        (None, "timeline==0.1.0"),  # from a package index
        (
            {"url": "https://github.com/o/timeline", "vcs_info": {"vcs": "git", "commit_id": "abc123", "requested_revision": "v0.1.0"}},
            "timeline @ git+https://github.com/o/timeline@abc123",
        ),
        ({"url": "https://example.org/timeline-0.1.0.tar.gz", "archive_info": {}}, "timeline @ https://example.org/timeline-0.1.0.tar.gz"),
        ({"url": "file:///home/me/timeline", "dir_info": {"editable": True}}, ""),  # a local folder
    ],
)
def test_default_package_requirement_follows_how_timeline_was_installed(monkeypatch, direct_url, expected):
    monkeypatch.setattr(new_site, "__version__", "0.1.0")
    monkeypatch.setattr(new_site.metadata, "distribution", lambda name: FakeDistribution("0.1.0", direct_url))
    assert new_site.installed_requirement() == expected


def test_another_installed_version_is_not_taken_for_this_one(monkeypatch):
    monkeypatch.setattr(new_site, "__version__", "0.2.0")
    monkeypatch.setattr(new_site.metadata, "distribution", lambda name: FakeDistribution("0.1.0", None))
    assert new_site.installed_requirement() == ""


def test_starter_files_are_shipped_as_package_data():
    """Every scaffold file matches a package-data pattern in pyproject.toml, so wheels carry it."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "timeline" in setuptools["packages"] and "timeline.commands" in setuptools["packages"]
    patterns = setuptools["package-data"]["timeline"]
    scaffold = REPO / "timeline" / "scaffold"
    shipped = {p.relative_to(scaffold.parent).as_posix() for p in scaffold.rglob("*") if p.is_file()}
    assert shipped and all(not Path(p).name.startswith(".") for p in shipped)
    for path in shipped:
        assert any(fnmatch.fnmatch(path, pattern.replace("**/", "*")) for pattern in patterns), path
