"""The README benchmark table: every target row always there, judged against the best baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.report import END, NOT_COVERED, START, figure, render, write_readme_section


def _write(directory: Path, name: str, *figures: dict[str, object]) -> None:
    report = {"benchmark": name, "figures": list(figures)}
    (directory / f"{name}.json").write_text(json.dumps(report), encoding="utf-8")


def _row(table: str, label: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(f"| {label}"))


def test_targets_nobody_measured_show_as_not_measured(tmp_path: Path) -> None:
    table = render(tmp_path)
    row = _row(table, "Cold start")
    assert "not measured" in row
    assert "≤ 10 s" in row
    assert NOT_COVERED in table


def test_a_missed_target_shows_as_missed_even_if_the_benchmark_said_met(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "search_core",
        figure(
            name="worst kind",
            key="search_vs_indexed_sql",
            size=1_000_000,
            unit="ms",
            project=10.0,
            best_baseline=60.0,
            best_baseline_name="indexed SQL + bbox",
            naive_baseline=900.0,
            floor=4.0,
            met=True,
        ),
    )
    row = _row(render(tmp_path), "Search core vs SQL")
    assert "missed" in row  # 6× is short of the 10× target, whatever the producer said
    assert "60 ms (6.0×) — indexed SQL + bbox" in row
    assert "900 ms (90.0×)" in row
    assert "4 ms (0.4×)" in row


def test_a_met_target_and_other_figures_get_rows(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "cold_start",
        figure(name="with snapshot", key="cold_start", size=1_000_000, unit="s", project=7.5),
        figure(name="without snapshot", size=100_000, unit="s", project=12.0, met=False),
    )
    table = render(tmp_path)
    assert _row(table, "Cold start").endswith("| yes |")
    assert "missed" in _row(table, "without snapshot")


def test_an_old_summary_file_or_a_broken_one_does_not_stop_the_table(tmp_path: Path) -> None:
    summary = {"metric": "p50", "value": "3 ms", "target": "≤ 5 ms", "met": True}
    (tmp_path / "teams.json").write_text(json.dumps({"summary": [summary]}))
    (tmp_path / "load.json").write_text("{not json")
    table = render(tmp_path)
    assert _row(table, "p50").endswith("| yes |")
    assert "not measured" in _row(table, "Filter change")


def test_a_misspelt_figure_field_is_refused() -> None:
    with pytest.raises(ValueError, match="best_baseline_nme"):
        figure(name="x", best_baseline_nme="FTS5")


def test_the_readme_table_is_replaced_between_its_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{START}\nold table\n{END}\nafter\n", encoding="utf-8")
    write_readme_section(results_dir=tmp_path, readme=readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith("after\n")
    assert "old table" not in text and "Cold start" in text
