"""A partner in Puerto Rico: imported from CSV, found around "San Juan, PR", and harmless to
the state filters and maps, which cover the 50 states and DC."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Engine

from core.interchange.format import csv_columns
from core.interchange.importer import import_partners_csv
from core.search.index import build_read_index
from core.search.query import SearchQuery
from core.search.ranking import search_directory


def test_a_partner_in_san_juan_is_found_near_san_juan_and_not_by_a_state_filter(
    db_engine: Engine,
) -> None:
    cells = {"name": "Isla Redes", "hq_zip": "00901", "level_security": "3"}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_columns())
    writer.writerow([cells.get(c, "") for c in csv_columns()])
    report = import_partners_csv(engine=db_engine, source=buffer.getvalue().encode())
    assert report.imported == 1, report.errors

    near = search_directory(
        engine=db_engine, query=SearchQuery(needs=["security"], near="San Juan, PR")
    )
    assert [r.name for r in near.results] == ["Isla Redes"]
    assert near.place is not None and near.place.state == "PR"
    by_state = search_directory(engine=db_engine, query=SearchQuery(states=["TX"]))
    assert by_state.total == 0
    assert build_read_index(db_engine).size == 1
