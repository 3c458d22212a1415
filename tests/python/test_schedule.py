"""Schedules: `hyperpipe schedule next` against systemd's own calendar engine (the OnCalendar
lines `schedule install --systemd` writes are evaluated by `systemd-analyze calendar`), the
units and crontab line themselves, and the documented difference on a DST gap."""
import re
import shutil
import subprocess
from datetime import datetime, timezone

import pytest


BASE = "2026-05-01T00:00:00Z"


def next_fires(hyperpipe, cron, zone, count=5, start=BASE):
    out = hyperpipe("schedule", "next", cron, "--timezone", zone, "--from", start, "--count", count).stdout.split()
    return [datetime.fromisoformat(t).astimezone(timezone.utc) for t in out]


def systemd_fires(lines, count=5, start="2026-05-01 00:00:00 UTC"):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is part of this machine's image; it checks our OnCalendar lines"
    fires = set()
    for line in lines:
        out = subprocess.run([analyze, "calendar", f"--iterations={count}", f"--base-time={start}", line],
                             capture_output=True, text=True, check=True).stdout
        for stamp in re.findall(r"(?:Next elapse|Iter\. #\d+): \w{3} (\S+ \S+) UTC", out):
            fires.add(datetime.fromisoformat(stamp).replace(tzinfo=timezone.utc))
    return sorted(fires)[:count]


def install(hyperpipe, tmp_path, cron, zone, kind="--systemd"):
    path = tmp_path / "p.yaml"
    path.write_text(f"""version: 1
name: nightly
schedule: {{cron: "{cron}", timezone: {zone}}}
sources:
  s: {{type: csv, path: a.csv}}
outputs:
  o: {{file: o.hyper, tables: [{{name: Extract.Extract, from: s}}]}}
""")
    return hyperpipe("schedule", "install", path, kind, "--print").stdout


@pytest.mark.parametrize("cron,zone", [
    ("0 6 * * 1-5", "Europe/Brussels"),
    ("*/15 9-10 * * *", "America/New_York"),
    ("30 2 1,15 jan-mar *", "Europe/Brussels"),
    ("0 0 13 * fri", "UTC"),
    ("@weekly", "Asia/Kolkata"),
    ("5 4 * * sun", "Australia/Sydney"),
])
def test_systemd_agrees_with_schedule_next(tmp_path, hyperpipe, cron, zone):
    units = install(hyperpipe, tmp_path, cron, zone)
    lines = re.findall(r"^OnCalendar=(.+)$", units, re.M)
    assert lines
    assert systemd_fires(lines) == next_fires(hyperpipe, cron, zone)


def test_units_and_crontab_run_the_pipeline(tmp_path, hyperpipe):
    units = install(hyperpipe, tmp_path, "0 6 * * 1-5", "Europe/Brussels")
    assert re.search(r'^ExecStart=".*/hyperpipe" run ".*/p\.yaml" --progress never --log-format json$', units, re.M)
    assert f"WorkingDirectory={tmp_path}\n" in units and "Type=oneshot" in units and "WantedBy=timers.target" in units
    line = install(hyperpipe, tmp_path, "0 6 * * 1-5", "Europe/Brussels", "--cron")
    assert line.startswith("CRON_TZ=Europe/Brussels\n0 6 * * 1-5 cd ")


def test_a_dst_gap_fires_at_the_first_instant_after_it(hyperpipe):
    # Documented rule: 02:30 does not exist on 2026-03-29 in Brussels; it fires at 03:00 CEST.
    fires = next_fires(hyperpipe, "30 2 * * *", "Europe/Brussels", 2, "2026-03-28T12:00:00Z")
    assert [f.isoformat() for f in fires] == ["2026-03-29T01:00:00+00:00", "2026-03-30T00:30:00+00:00"]
    # systemd skips such a time instead (a known difference of OS timers, noted in the docs).
    assert systemd_fires(["*-*-* 02:30:00 Europe/Brussels"], 1, "2026-03-28 12:00:00 UTC")[0].isoformat() == \
        "2026-03-30T00:30:00+00:00"


def test_a_pipeline_without_a_schedule_or_with_a_bad_one_is_refused(tmp_path, hyperpipe):
    path = tmp_path / "p.yaml"
    path.write_text("""version: 1
schedule: {cron: "0 25 * * *", timezone: Europe/Brusels}
sources:
  s: {type: csv, path: a.csv}
outputs:
  o: {file: o.hyper, tables: [{name: Extract.Extract, from: s}]}
""")
    result = hyperpipe("validate", path, check=False)
    assert result.returncode == 8
    assert 'schedule.cron: column 3: hour field "25"' in result.stderr
    assert 'schedule.timezone: "Europe/Brusels" is not an IANA time zone' in result.stderr
