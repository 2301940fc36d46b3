"""How a run's report reads: the text `otg sync` prints and the lines it logs."""

from sync.report import BoardSummary, Outcome, Report, log_line, render_text


def _board(**counts) -> Report:
    report = Report(job="sync")
    report.boards.append(BoardSummary(name="m", role="microactions", source="m.json", **counts))
    return report


def test_a_board_line_shows_its_states_and_deleted_cards():
    report = _board(title="Microactions", cards=3, states={"done": 2, "idea": 1}, deleted=1)
    assert render_text(report).splitlines()[0] == (
        "microactions  Microactions: 3 cards (2 done, 1 idea; 1 deleted)"
    )


def test_a_board_with_only_deleted_cards_has_no_stray_punctuation():
    line = render_text(_board(title="Empty", cards=0, deleted=1)).splitlines()[0]
    assert line == "microactions  Empty: 0 cards (1 deleted)"


def test_an_empty_board_has_no_brackets():
    line = render_text(_board(title="Empty", cards=0)).splitlines()[0]
    assert line == "microactions  Empty: 0 cards"


def test_log_lines_name_status_kind_and_detail_once():
    done = Outcome("create", "calendar", "c1", "Leeds", detail="2026-12-01")
    skipped = Outcome("skip", "calendar", "c2", "Cardiff", detail="no date", status="skipped")
    assert log_line(done) == "done create calendar: Leeds (2026-12-01)"
    assert log_line(skipped) == "skipped calendar: Cardiff (no date)"
