"""``index-snapshot``: build the read index now and save it where the app will map it.

For a deployment script before starting app processes (each then starts in about a second
instead of building), or after a bulk import. Builds in this short-lived process.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from core.commands.runtime import OK, REFUSED, fail, open_engine
from core.search.index import build_read_index
from core.search.snapshot import save_snapshot
from core.search.snapshot_build import snapshot_directory
from core.settings import load_settings


def run_index_snapshot(args: argparse.Namespace) -> int:
    settings = load_settings()
    base = Path(args.directory) if args.directory else settings.index_snapshot_path
    directory = snapshot_directory(base, settings.database_url)
    if directory is None:
        return fail(
            "no snapshot directory: ATLAS_INDEX_SNAPSHOT_DIR is off, or the database is in memory",
            REFUSED,
        )
    engine = open_engine(create_schema=False)
    try:
        index = build_read_index(engine, today=date.today())
    finally:
        engine.dispose()
    path = save_snapshot(index, directory)
    size = sum(file.stat().st_size for file in path.iterdir())
    print(
        f"{path}: {index.size:,} partners, data version {index.data_version}, "
        f"built in {index.build_seconds:.1f} s, {size / 1e6:.1f} MB"
    )
    return OK
