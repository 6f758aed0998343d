"""A snapshot that does not fit is refused (None), never a crash; writes are atomic."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from core.partner_attributes import get_attributes
from core.search import snapshot
from core.search.index import ReadIndex
from core.search.snapshot import load_snapshot, save_snapshot, snapshot_meta
from core.taxonomy import get_taxonomy
from tests.unit.hand_made_index import hand_made_index

DAY = date(2026, 3, 2)


def small_index(version: int = 1, day: date = DAY) -> ReadIndex:
    index = hand_made_index(
        hq_latitude=np.array([30.27, 41.88, 47.61]),
        hq_longitude=np.array([-97.74, -87.63, -122.33]),
        hq_city=["Austin, TX", "Chicago, IL", "Seattle, WA"],
        built_for_day=day,
        names=["Alpha Networks", "Beta Backup", "Gamma Cloud"],
    )
    index.token_index()
    index.data_version = version
    return index


def current_files(directory: Path) -> Path:
    return directory / (directory / snapshot.CURRENT).read_text().strip()


def test_a_saved_snapshot_loads_on_its_own_day(tmp_path: Path):
    save_snapshot(small_index(), tmp_path)
    loaded = load_snapshot(tmp_path, today=DAY)
    assert loaded is not None
    assert loaded.token_index().match("backup", size=3).tolist() == [False, True, False]


def test_no_snapshot_is_none(tmp_path: Path):
    assert load_snapshot(tmp_path / "never-written", today=DAY) is None
    assert load_snapshot(tmp_path, today=DAY) is None


def test_a_snapshot_from_another_day_is_refused(tmp_path: Path):
    save_snapshot(small_index(), tmp_path)
    assert load_snapshot(tmp_path, today=DAY + timedelta(days=1)) is None


def test_a_snapshot_of_another_taxonomy_is_refused(tmp_path: Path, monkeypatch):
    save_snapshot(small_index(), tmp_path)
    other = dataclasses.replace(get_taxonomy(), areas=get_taxonomy().areas[:-1])
    monkeypatch.setattr(snapshot, "get_taxonomy", lambda: other)
    assert load_snapshot(tmp_path, today=DAY) is None


def test_a_snapshot_of_other_partner_attributes_is_refused(tmp_path: Path, monkeypatch):
    save_snapshot(small_index(), tmp_path)
    attributes = get_attributes()
    other = dataclasses.replace(attributes, languages={**attributes.languages, "xx": "Xish"})
    monkeypatch.setattr(snapshot, "get_attributes", lambda: other)
    assert load_snapshot(tmp_path, today=DAY) is None


def test_a_snapshot_of_another_format_version_is_refused(tmp_path: Path):
    save_snapshot(small_index(), tmp_path)
    meta_path = current_files(tmp_path) / snapshot.META
    meta = json.loads(meta_path.read_text())
    meta["format"] = snapshot.FORMAT_VERSION + 1
    meta_path.write_text(json.dumps(meta))
    assert load_snapshot(tmp_path, today=DAY) is None


@pytest.mark.parametrize("name", ["claimed.npy", "names.arrow", "tokens.rows.npy", "meta.json"])
def test_a_truncated_file_is_refused(tmp_path: Path, name: str):
    save_snapshot(small_index(), tmp_path)
    path = current_files(tmp_path) / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert load_snapshot(tmp_path, today=DAY) is None


@pytest.mark.parametrize("name", ["claimed.npy", "hq_city.arrow", "tokens.starts.npy"])
def test_a_file_altered_in_place_is_refused(tmp_path: Path, name: str):
    save_snapshot(small_index(), tmp_path)
    path = current_files(tmp_path) / name
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # same size, one value changed
    path.write_bytes(bytes(data))
    assert load_snapshot(tmp_path, today=DAY) is None


@pytest.mark.parametrize("pointer", ["", "../elsewhere", "snapshot-gone", "\x00\xff"])
def test_a_bad_current_pointer_is_refused(tmp_path: Path, pointer: str):
    save_snapshot(small_index(), tmp_path)
    (tmp_path / snapshot.CURRENT).write_text(pointer, encoding="latin-1")
    assert load_snapshot(tmp_path, today=DAY) is None


def test_a_failed_write_leaves_the_previous_snapshot_current(tmp_path: Path, monkeypatch):
    save_snapshot(small_index(version=1), tmp_path)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(snapshot, "_write_arrow", broken)
    with pytest.raises(OSError, match="disk full"):
        save_snapshot(small_index(version=2), tmp_path)
    loaded = load_snapshot(tmp_path, today=DAY)
    assert loaded is not None and loaded.data_version == 1
    assert not list(tmp_path.glob(".tmp-*"))  # cleaned up


CRASH_MID_WRITE = """
import os, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from core.search import snapshot
from tests.unit.search.test_snapshot_refusals import small_index
real = snapshot._write_arrow
def crash(path, value):
    real(path, value)
    os._exit(9)  # killed half-way: no clean-up runs
snapshot._write_arrow = crash
snapshot.save_snapshot(small_index(version=2), Path({directory!r}))
"""


def test_a_process_killed_mid_write_leaves_the_previous_snapshot_valid(tmp_path: Path):
    save_snapshot(small_index(version=1), tmp_path)
    root = str(Path(__file__).resolve().parents[3])
    script = CRASH_MID_WRITE.format(root=root, directory=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", script], cwd=root, check=False)
    assert done.returncode == 9
    assert list(tmp_path.glob(".tmp-*"))  # the half-written one is there, unnamed
    loaded = load_snapshot(tmp_path, today=DAY)
    assert loaded is not None and loaded.data_version == 1


def test_an_older_snapshot_written_late_does_not_replace_a_newer_one(tmp_path: Path):
    save_snapshot(small_index(version=5), tmp_path)
    older = save_snapshot(small_index(version=3), tmp_path)
    assert older.exists()  # written, so the process that built it can map it
    meta = snapshot_meta(tmp_path)
    assert meta is not None and meta["data_version"] == 5
    save_snapshot(small_index(version=1, day=DAY + timedelta(days=1)), tmp_path)
    meta = snapshot_meta(tmp_path)
    assert meta is not None and meta["data_version"] == 1  # a new day wins


def test_old_snapshots_are_pruned_keeping_the_current_and_the_one_before(tmp_path: Path):
    for version in range(1, 6):
        save_snapshot(small_index(version=version), tmp_path)
    kept = sorted(p.name for p in tmp_path.glob(f"{snapshot.PREFIX}*"))
    assert len(kept) == 2 and any("-v5-" in name for name in kept)
