"""lint on referrals: gaps in opening hours by district, stale entries, a directory that does not load;
paths shows the kinds offered per outcome row."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from crisis_triage.authoring.lint import LintOptions, lint
from crisis_triage.authoring.referral_checks import closed_spans, describe_gaps
from crisis_triage.authoring.source import load_with_source
from crisis_triage.cli import cli
from crisis_triage.protocol.directory import WEEK, DirectoryService, WeeklyHours
from tests.authoring.conftest import ROOT

BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"


def _service(hours: list[str]) -> DirectoryService:
    return DirectoryService(spec=None, hours=WeeklyHours.parse(hours), index=0)


def test_closed_spans_wrap_the_week_and_read_as_days():
    weekdays = _service(["mon-fri 07:00-19:00", "sat 08:00-14:00"])
    gaps = closed_spans([weekdays])
    assert describe_gaps(gaps).startswith(
        "Sat 14:00-Mon 07:00, Fri 19:00-Sat 08:00, Mon 19:00-Tue 07:00"
    )  # longest first
    assert (6 * 1440 - 10 * 60, WEEK + 7 * 60) in gaps  # Sat 14:00 to Mon 07:00, across Sunday midnight
    assert closed_spans([_service(["24/7"])]) == []
    assert describe_gaps(closed_spans([])) == "at any hour"
    night = _service(["daily 20:00-08:00"])
    day = _service(["daily 08:00-20:00"])
    assert closed_spans([night, day]) == []


def _with_directory(tmp_path, services: str):
    protocol = tmp_path / "p.yaml"
    protocol.write_text(
        BOSTON.read_text(encoding="utf-8").split("# --- referrals ---")[0]
        + "referrals:\n  directory: t-directory.yaml\n  rules:\n"
        + "    - {id: substance_use, when: intoxicated, offer: [detox_recovery], because: x}\n",
        encoding="utf-8",
    )
    (tmp_path / "t-directory.yaml").write_text(
        "directory: {id: t, title: T, verify_every_days: 30}\nservices:\n" + services, encoding="utf-8"
    )
    return load_with_source(protocol)


DETOX = """  - id: {id}
    kind: detox_recovery
    name: {id}
    hours: {hours}
    refer: [{{how: phone, detail: "555"}}]
    last_verified: {verified}
"""


def test_no_detox_referral_on_weekend_nights_in_e18(tmp_path):
    weekdays = DETOX.format(
        id="weekday_detox", hours='["mon-fri 07:00-22:00", "sat,sun 09:00-18:00"]', verified="2026-11-20"
    )
    citywide_nights = DETOX.format(id="night_detox", hours='["mon-fri 22:00-07:00"]', verified="2026-11-20")
    loaded = _with_directory(tmp_path, weekdays + citywide_nights)
    findings = [
        f for f in lint(loaded, LintOptions(today=date(2026, 12, 1))) if f.code.startswith(("referral", "directory"))
    ]
    assert len(findings) == 1
    gap = findings[0]
    assert gap.severity == "warning" and gap.path == ("referrals", "rules", 0, "offer", 0)
    assert "Sat 18:00-Sun 09:00" in gap.message and "Sun 18:00-Mon 07:00" in gap.message
    assert "E18" in gap.message and "A1" in gap.message  # every district, named once
    assert str(gap).startswith(f"{loaded.file}:")


def test_stale_entries_and_a_directory_that_does_not_load(tmp_path):
    old = DETOX.format(id="old_entry", hours='["24/7"]', verified="2026-01-02")
    loaded = _with_directory(tmp_path, old)
    findings = lint(loaded, LintOptions(today=date(2026, 12, 1)))
    stale = [f for f in findings if f.code == "directory-stale"]
    assert len(stale) == 1 and stale[0].severity == "info"
    assert stale[0].file.endswith("t-directory.yaml") and stale[0].line == 8
    assert "333 days ago" in stale[0].message
    assert not [f for f in findings if f.code == "referral-gap"]
    (tmp_path / "t-directory.yaml").write_text("directory: {id: t}\n", encoding="utf-8")
    broken = [f for f in lint(_with_directory_text(tmp_path), LintOptions()) if f.code == "directory-problem"]
    assert broken and broken[0].severity == "error"


def _with_directory_text(tmp_path):
    return load_with_source(tmp_path / "p.yaml")


def test_lint_on_the_shipped_directory_and_paths_column(tmp_path):
    # The shipped directory has a 24/7 detox line citywide, so no gap (test_lint checks it is clean);
    # without that line, lint on the command line shows the real gaps, district by district.
    directory = (BOSTON.parent / "boston-directory.yaml").read_text(encoding="utf-8")
    start = directory.index("  - id: detox_access_line\n")
    end = directory.index("\n  - id:", start + 1) + 1
    (tmp_path / "boston-directory.yaml").write_text(directory[:start] + directory[end:], encoding="utf-8")
    (tmp_path / BOSTON.name).write_text(BOSTON.read_text(encoding="utf-8"), encoding="utf-8")
    shipped = CliRunner().invoke(cli, ["lint", str(BOSTON), "--severity", "warning"])
    assert "referral-gap" not in shipped.output
    result = CliRunner().invoke(cli, ["lint", str(tmp_path / BOSTON.name), "--severity", "warning"])
    gaps = [line for line in result.output.splitlines() if "referral-gap" in line]
    assert any("detox and recovery referral" in line and "E18" in line for line in gaps)
    paths = CliRunner().invoke(cli, ["paths", str(BOSTON), "--json"])
    import json

    rows = json.loads(paths.output)["rows"]
    assert all("referrals" in row for row in rows)
    assert any("family_support (family)" in row["referrals"] for row in rows if row["door"] == "family")
    text = CliRunner().invoke(cli, ["paths", str(BOSTON)]).output
    assert "referrals (kinds offered)" in text


def test_the_age_bands_of_the_referral_age_question_are_not_answers_that_change_nothing():
    # "adult" to age_group scores nothing and no condition reads it, but the referral step offers
    # only services whose ages the band overlaps (no youth drop-in to an adult): it does something.
    # "unknown" is no band: it matches every service, as if not asked, and is still noted.
    notes = [
        finding.message
        for finding in lint(load_with_source(BOSTON), LintOptions(today=date(2026, 12, 1)))
        if finding.code == "option-no-effect" and '"age_group"' in finding.message
    ]
    assert notes == [
        'answering "unknown" to "age_group" changes nothing: no points, no fact, no condition tells it apart'
    ]
