"""`otg site` on the command line, and the nightly sync's site step."""

from __future__ import annotations

from datetime import UTC, datetime

import jobs.sync
from cli import main
from sync.state.store import State
from tests.site.demo import NOW, demo_config


def test_otg_site_writes_the_site_then_nothing(runner, tmp_path, monkeypatch):
    cfg = demo_config(tmp_path / "demo", "")
    monkeypatch.setenv("OTG_NOW", "2026-11-25T12:00:00Z")
    first = runner.invoke(main, ["--config", str(cfg.path), "site"])
    assert first.exit_code == 0, first.output
    assert "site" in first.output and "files written" in first.output
    assert (cfg.output_dir / "site" / "events.html").is_file()
    assert not cfg.state_db.exists()  # it reads the state; it saves nothing there
    again = runner.invoke(main, ["--config", str(cfg.path), "site"])
    assert again.exit_code == 0 and "files written" not in again.output


def test_otg_site_leaves_the_site_when_a_board_cannot_be_read(runner, tmp_path):
    cfg = demo_config(tmp_path / "demo", "")
    assert runner.invoke(main, ["--config", str(cfg.path), "site"]).exit_code == 0
    before = (cfg.output_dir / "site" / "events.html").read_bytes()
    text = cfg.path.read_text(encoding="utf-8").replace("events.json", "gone.json")
    cfg.path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["--config", str(cfg.path), "site"])
    assert result.exit_code == 1 and "left as it was" in result.output
    assert "Traceback" not in result.output
    assert (cfg.output_dir / "site" / "events.html").read_bytes() == before


def test_a_broken_template_is_one_line_and_exit_1(runner, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "index.html.j2").write_text("{% for %}", encoding="utf-8")
    cfg = demo_config(tmp_path / "demo", f'templates = "{tmp_path / "mine"}"\n')
    result = runner.invoke(main, ["--config", str(cfg.path), "site"])
    assert result.exit_code == 1
    assert f"site: {tmp_path / 'mine' / 'index.html.j2'}, line 1:" in result.output
    assert "Traceback" not in result.output


def test_the_nightly_sync_builds_the_site_when_site_is_configured(tmp_path):
    cfg = demo_config(tmp_path / "demo", "")
    with State(cfg.state_db) as state:
        report = jobs.sync.run(cfg, state, now=NOW)
        assert any(o.target == "site" for o in report.outcomes)
        assert (cfg.output_dir / "site" / "events.ics").read_bytes() == (
            cfg.output_dir / "events.ics"
        ).read_bytes()
        later = jobs.sync.run(cfg, state, now=datetime(2026, 11, 25, 12, 0, 1, tzinfo=UTC))
        assert not any(o.target == "site" for o in later.outcomes)  # nothing changed
        dry = jobs.sync.run(cfg, state, now=NOW, dry_run=True)
        assert not any(o.target == "site" for o in dry.outcomes)


def test_an_unwritable_site_folder_is_one_line(runner, tmp_path):
    cfg = demo_config(tmp_path / "demo", "")
    cfg.output_dir.mkdir(parents=True)
    (cfg.output_dir / "site").write_text("a file where the folder should be")
    result = runner.invoke(main, ["--config", str(cfg.path), "site"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "site: cannot write" in result.output and "site.dir" in result.output


def test_otg_check_says_what_the_site_shows(runner, tmp_path):
    cfg = demo_config(tmp_path / "a", "")
    result = runner.invoke(main, ["--config", str(cfg.path), "check"])
    assert result.exit_code == 0
    assert f"ok  site: {cfg.output_dir / 'site'}: events, roundups (drafts kept off it)" in (
        result.output
    )
    cfg = demo_config(tmp_path / "b", 'templates = "nowhere"\n')
    result = runner.invoke(main, ["--config", str(cfg.path), "check"])
    assert result.exit_code == 1 and "FAIL site: site.templates: no folder at" in result.output
