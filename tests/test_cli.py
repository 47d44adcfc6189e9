import json
import os
import subprocess
import sys

from conftest import REPO, SEED, needs_shared


def run(*args, input=None, cwd=None):
    """The command as a user runs it, from this checkout whatever the current folder."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args], input=input, capture_output=True, text=True, cwd=cwd, env=env
    )


def test_extract_stdin_json_contract():
    text = "Kim left Pyongyang on Sunday, Sept. 10, and Resolution 1718 was adopted in 2006."
    done = run("extract", "-", "--dct", "2023-09-12", "--json", input=text)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert isinstance(found, list)
    for item in found:
        assert set(item) == {"start", "end", "text", "type", "value"}
        assert text[item["start"] : item["end"]] == item["text"]
    values = {item["text"]: item["value"] for item in found}
    assert values.get("Sunday, Sept. 10") == "2023-09-10"
    assert values.get("2006") == "2006"
    assert not any("1718" in t for t in values)


def test_extract_offsets_count_characters_not_bytes():
    text = "Ünïcödé — “quoted” text on Oct. 9, 2006."
    found = json.loads(run("extract", "-", "--dct", "2006-10-10", "--json", input=text).stdout)
    assert [(text[f["start"] : f["end"]], f["value"]) for f in found] == [("Oct. 9, 2006", "2006-10-09")]


def test_extract_article_file_infers_date(tmp_path):
    needs_shared(SEED)
    done = run("extract", str(SEED))
    assert done.returncode == 0, done.stderr
    assert "inferred 2023" in done.stderr
    assert "2023-09-10" in done.stdout


def test_build_command_in_site_folder(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("---\ntitle: A\ndate: 2006-10-14\n---\nThe vote came on Saturday.")
    (tmp_path / "timeline.toml").write_text('title = "Test site"\n')
    done = run("build", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 article," in done.stderr
    events = json.loads((tmp_path / "output" / "events.json").read_text())["events"]
    assert [e["value"] for e in events] == ["2006-10-14"]


def test_build_exits_nonzero_on_skipped_article_unless_keep_going(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "bad.md").write_text("---\ntitle: [x\n---\n")
    done = run("build", cwd=tmp_path)
    assert done.returncode == 1 and "content/bad.md:2" in done.stderr
    assert "Traceback" not in done.stderr
    assert run("build", "--keep-going", cwd=tmp_path).returncode == 0


def test_bad_config_is_a_clear_error(tmp_path):
    (tmp_path / "timeline.toml").write_text("title = \n")
    done = run("build", cwd=tmp_path)
    assert done.returncode == 1 and "timeline.toml" in done.stderr and "Traceback" not in done.stderr


def test_python_m_and_console_script_agree():
    assert run("--version").stdout.strip().startswith("timeline")
