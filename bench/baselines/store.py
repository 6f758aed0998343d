"""The derived SQLite file the SQL baselines query, built once beside the bench directory.

A capable engineer serving these searches from SQL would keep what each query reads
indexed: locations by (latitude, longitude), each partner's effective level per area (the
higher of the claim and a valid certification — the same rule the core applies) by area
and level, and an FTS5 table over name and description. They live in a separate file
(the app's schema is never touched); the bench directory is ATTACHed read-only as ``src``
for the few columns shown on a page. The build time of each part is reported.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from core.taxonomy import MAX_LEVEL, get_taxonomy


def _source_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise ValueError("the SQL baselines need a SQLite bench directory")
    return Path(database)


def _cert_levels() -> list[tuple[str, str, int]]:
    taxonomy = get_taxonomy()
    return [
        (key, area, int(level))
        for key, entry in taxonomy.certifications.items()
        for area, level in entry.evidences.items()
    ]


def build_store(url: str, path: Path, *, today: date | None = None) -> dict[str, float]:
    """(Re)build the baseline file at ``path`` from the directory at ``url``; seconds per part."""
    today = today or date.today()
    source = _source_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "-journal")):
        stale.unlink(missing_ok=True)
    conn = sqlite3.connect(f"file:{path}", uri=True)  # uri: ATTACH takes a URI
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
    seconds: dict[str, float] = {}

    def step(name: str, *statements: str, params: tuple = ()) -> None:  # type: ignore[type-arg]
        started = time.perf_counter()
        for sql in statements:
            conn.execute(sql, params) if "?" in sql else conn.execute(sql)
        conn.commit()
        seconds[name] = round(time.perf_counter() - started, 2)

    step(
        "locations_with_index",
        "CREATE TABLE loc (partner_id INTEGER NOT NULL, latitude REAL NOT NULL, "
        "longitude REAL NOT NULL)",
        "INSERT INTO loc SELECT partner_id, latitude, longitude FROM src.partner_location",
        # Covering: the bounding box is answered from the index alone.
        "CREATE INDEX loc_lat_lon ON loc (latitude, longitude, partner_id)",
    )
    step(
        "locations_rtree",
        # An R*Tree answers a box on both axes at once (a B-tree ranges on latitude only).
        # Its float32 bounds are only used to find the box; exact coordinates ride along.
        "CREATE VIRTUAL TABLE loc_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon, "
        "+partner_id INTEGER, +latitude REAL, +longitude REAL)",
        "INSERT INTO loc_rtree SELECT id, latitude, latitude, longitude, longitude, partner_id, "
        "latitude, longitude FROM src.partner_location",
    )
    started = time.perf_counter()
    conn.execute("CREATE TABLE cert_level (cert TEXT, area_key TEXT, level INTEGER)")
    conn.executemany("INSERT INTO cert_level VALUES (?, ?, ?)", _cert_levels())
    seconds["certification_catalogue"] = round(time.perf_counter() - started, 2)
    step(
        "effective_levels_with_index",
        "CREATE TABLE level (partner_id INTEGER NOT NULL, area_key TEXT NOT NULL, "
        "level INTEGER NOT NULL, PRIMARY KEY (partner_id, area_key)) WITHOUT ROWID",
        # The core's rule: claims above MAX_LEVEL are capped; valid = approved, not expired.
        # Claims arrive in primary-key order (an append); certifications raise them.
        f"INSERT INTO level SELECT partner_id, area_key, MIN(claimed_level, {MAX_LEVEL}) "
        "FROM src.partner_competency WHERE claimed_level > 0",
        "INSERT INTO level SELECT c.partner_id, l.area_key, l.level"
        " FROM src.partner_certification c JOIN cert_level l ON l.cert = c.certification_key"
        " WHERE c.status = 'approved' AND (c.expires_on IS NULL OR c.expires_on >= ?)"
        " ON CONFLICT (partner_id, area_key) DO UPDATE SET level = MAX(level, excluded.level)",
        # Competency by area and level: the whole-country need filter reads this index.
        "CREATE INDEX level_area ON level (area_key, level, partner_id)",
        params=(today.isoformat(),),
    )
    step(
        "fts5",
        # unicode61 splits on every mark the core treats as a separator, and lower-cases.
        "CREATE VIRTUAL TABLE fts USING fts5(name, description, content='', tokenize='unicode61')",
        "INSERT INTO fts (rowid, name, description) SELECT id, name, description FROM src.partner",
    )
    step("analyze", "ANALYZE main")  # the planner's statistics, as any deployment would keep
    conn.close()
    seconds["total"] = round(sum(seconds.values()), 2)
    return seconds


def connect(path: Path, url: str) -> sqlite3.Connection:
    """A read connection to the baseline file with the bench directory attached as src."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{_source_path(url)}?mode=ro",))
    return conn
