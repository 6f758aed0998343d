"""The app's holder with snapshots on: the first process builds in a child and leaves a
snapshot; the next process starts from it without building; a write is still seen."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.db import session_scope
from core.demo.generator import seed_demo_directory
from core.search import snapshot_build
from core.search.snapshot import snapshot_meta
from core.search.snapshot_build import snapshot_directory, snapshot_holder
from core.unit_of_work import mark_directory_changed


def test_a_second_process_starts_from_the_first_ones_snapshot_without_building(
    db_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    seed_demo_directory(engine=db_engine, partners=40, seed=3, with_activity=False)
    url = db_engine.url.render_as_string(hide_password=False)
    first = snapshot_holder(engine=db_engine, base=tmp_path, database_url=url).get()
    directory = snapshot_directory(tmp_path, url)
    assert directory is not None
    meta = snapshot_meta(directory)
    assert meta is not None and meta["data_version"] == first.data_version

    builds: list[date] = []
    real_build = snapshot_build.build_snapshot_in_subprocess

    def counted(**kwargs):  # type: ignore[no-untyped-def]
        builds.append(kwargs["today"])
        return real_build(**kwargs)

    monkeypatch.setattr(snapshot_build, "build_snapshot_in_subprocess", counted)
    second = snapshot_holder(engine=db_engine, base=tmp_path, database_url=url)
    started = second.get()
    assert builds == [] and started.size == first.size == 40

    with session_scope(db_engine) as session:
        mark_directory_changed(session)
    # A change naming no partners is rebuilt in a child beside the serving index: the old
    # index answers at once, the rebuilt one once it is done.
    assert second.get().data_version == first.data_version
    assert second.wait_for_rebuild(timeout=120)
    assert second.get().data_version > first.data_version
    assert builds == [date.today()]


def test_snapshots_off_or_an_in_memory_database_build_in_process(tmp_path: Path):
    assert snapshot_directory(None, "sqlite:///x.sqlite") is None
    assert snapshot_directory(tmp_path, "sqlite://") is None
    assert snapshot_directory(tmp_path, "sqlite:///:memory:") is None
    one = snapshot_directory(tmp_path, "postgresql+psycopg://u:secret@h/db1")
    other = snapshot_directory(tmp_path, "postgresql+psycopg://u:secret@h/db2")
    assert one is not None and other is not None and one != other
    assert "secret" not in str(one)


def test_the_worker_refreshes_an_existing_snapshot_only_when_behind_and_old_enough(
    db_engine: Engine, tmp_path: Path
):
    seed_demo_directory(engine=db_engine, partners=20, seed=4, with_activity=False)
    url = db_engine.url.render_as_string(hide_password=False)
    directory = snapshot_directory(tmp_path, url)
    assert directory is not None
    today = date.today()

    def refresh(version: int, min_age: float) -> bool:
        return snapshot_build.refresh_snapshot(
            database_url=url, directory=directory, version=version, today=today,
            min_age_seconds=min_age,
        )  # fmt: skip

    assert not refresh(1, 0)  # no snapshot yet: starting one is the app's job
    snapshot_holder(engine=db_engine, base=tmp_path, database_url=url).get()
    meta = snapshot_meta(directory)
    assert meta is not None
    version = meta["data_version"]
    assert not refresh(version, 0)  # current
    with session_scope(db_engine) as session:
        mark_directory_changed(session)
    assert not refresh(version + 1, 3600)  # behind, but written moments ago
    assert refresh(version + 1, 0)
    meta = snapshot_meta(directory)
    assert meta is not None and meta["data_version"] == version + 1


def test_the_index_snapshot_command_writes_the_snapshot_the_app_will_map(
    db_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    from core.cli import main
    from core.search.snapshot import load_snapshot

    seed_demo_directory(engine=db_engine, partners=10, seed=5, with_activity=False)
    url = db_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["index-snapshot", "--directory", str(tmp_path)]) == 0
    assert "10 partners" in capsys.readouterr().out
    directory = snapshot_directory(tmp_path, url)
    assert directory is not None
    loaded = load_snapshot(directory, today=date.today())
    assert loaded is not None and loaded.size == 10
    monkeypatch.setenv("ATLAS_INDEX_SNAPSHOT_DIR", "off")
    assert main(["index-snapshot"]) == 1  # switched off: says so, writes nothing
