"""Partner CSV interchange: one row per partner, covering the whole profile.

UTF-8, comma-separated, RFC 4180 quoting (a description may hold commas, quotes and line
breaks), one header row. Columns, in export order (import accepts any order):

==================  ====================================================================
partner_ref         stable id for round trips: the database id on export. On import a
                    positive whole number that no partner uses yet becomes the new
                    partner's id (so export -> import into an empty database keeps every
                    id); anything else gets a fresh id. Must be unique within the file.
name                required column and value, 2–120 characters
description         up to 2,000 characters
website             http:// or https:// address
email, phone        contact details
hq_zip              required column: 5-digit ZIP of the headquarters (may be blank
                    for a partner without offices, e.g. one serving whole states)
branch_zips         other office ZIPs, separated by ``;`` (needs an hq_zip)
service_radius_km   how far from its offices the partner travels; blank = no radius
states_served       whole states served, two-letter codes separated by ``;``
segments            company sizes served, separated by ``;`` (1-10;11-50;51-200;…)
level_<area>        one column per technology domain and business service of the
                    taxonomy: 0 none, 1 foundational, 2 proficient, 3 expert; blank = 0
ally_<service>      the named ally a business service is delivered through, if any
certifications      items ``key|obtained|expires|status`` separated by ``;``: a key of the
                    certification catalogue, ISO dates (expires may be blank), status
                    pending (the default), approved or rejected
updated_at          ISO 8601 UTC time of the last profile update; blank = now
verified_at         ISO 8601 UTC time an administrator last verified it; blank = never
confirmed_at        ISO 8601 UTC time the partner last confirmed it current; blank = never
industries          industries served, keys of data/partner_attributes.json, ``;``-separated
languages           languages (ISO 639-1 keys of the same file), ``;``-separated
delivery            remote, on_site or both; blank = not stated
accepting_new_clients  yes or no; blank = yes
==================  ====================================================================

The last five columns came with issue 13: a file without them (an older export) imports
with their defaults. Only ``name`` and ``hq_zip`` must be in the header; unknown columns are
rejected. Every row
is checked through ``PartnerCreate`` plus the rules above, and each problem is reported as
a ``RowError`` with the line it starts on (the header is line 1). Imports run in ONE
transaction: in ``all_or_nothing`` mode nothing is written when any row is bad, in
``valid_rows_only`` mode the good rows are written and the rest reported. Every imported
partner gets a "created" audit event under ``actor_label``; the data version is bumped once.
Certification statuses in the file are taken as given: import is an administrator's tool.

Spreadsheet safety: a text cell starting with ``= + - @`` (or a tab, or ``'``) is exported
with a leading ``'`` so a spreadsheet shows it as text instead of running it as a formula;
import removes that one ``'`` again, so files still round-trip byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from core.db import session_scope
from core.directory.records import (
    PartnerRecord,
    begin_partner_insert,
    insert_partner_records,
    sync_id_sequences,
)
from core.interchange.format import (
    ALL_OR_NOTHING,
    VALID_ROWS_ONLY,
    ImportReport,
    Progress,
    RowError,
)
from core.interchange.rows import (
    RowParser,
    Source,
    UnreadableError,
    as_id,
    read_records,
    reopenable,
    scan,
)
from core.models import Partner, utc_now
from core.tables import table_of

BATCH = 500


def _free_ids(session: Session, refs: list[str]) -> set[int]:
    """Numeric partner_refs no partner uses yet: those rows keep them as their ids."""
    wanted = {n for ref in refs if (n := as_id(ref)) is not None}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        wanted -= set(
            session.execute(select(col(Partner.id)).where(col(Partner.id).in_(chunk))).scalars()
        )
    return wanted


def import_partners_csv(
    *,
    engine: Engine,
    source: Source,
    mode: str = ALL_OR_NOTHING,
    actor_label: str = "import",
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row, then write the partners in one transaction (see the module doc).

    Returns an ImportReport; raises only for database failures, after rolling back.
    """
    if mode not in (ALL_OR_NOTHING, VALID_ROWS_ONLY):
        raise ValueError(f"mode must be {ALL_OR_NOTHING!r} or {VALID_ROWS_ONLY!r}")
    report = ImportReport(mode=mode)
    try:
        open_text = reopenable(source)
        header, refs = scan(open_text, report)
    except UnreadableError as exc:
        report.errors.append(exc.error)
        return report
    if report.errors:  # a bad header makes every row unreadable
        return report
    total, report.rows = report.rows, 0
    # One unit of work for the whole file: it bumps the data version once and rolls every
    # batch back on a database failure.
    with session_scope(engine) as session:
        written = _write_rows(
            session, open_text, header, refs, report, actor_label, progress, total
        )
        if written == 0 or (report.errors and mode == ALL_OR_NOTHING):
            session.rollback()  # discards every batch (and the bump): nothing is left to commit
            report.ids_kept = 0
        else:
            sync_id_sequences(session=session, tables=[table_of(Partner)])
            report.imported = written
    if progress is not None:
        progress(1.0, report.summary())
    return report


def _write_rows(
    session: Session,
    open_text: Callable[[], IO[str]],
    header: list[str],
    refs: list[str],
    report: ImportReport,
    actor_label: str,
    progress: Progress | None,
    total: int,
) -> int:
    now = utc_now().replace(microsecond=0)
    top = begin_partner_insert(session=session)
    kept = _free_ids(session, refs)
    next_id = max(top, *kept) + 1 if kept else top + 1
    first_line_of: dict[str, int] = {}
    pending: list[PartnerRecord] = []
    written = 0
    with open_text() as handle:
        records = read_records(handle)
        next(records)  # the header, checked by scan
        for line, values in records:
            if not any(v.strip() for v in values):
                continue
            report.rows += 1
            if progress is not None and report.rows % 1000 == 0:
                progress(report.rows / total, f"Checked {report.rows:,} of {total:,} rows")
            ref = ""
            if len(values) != len(header):
                reason = f"{len(values)} values, but the header has {len(header)} columns"
                errors = [RowError(line, "", reason)]
                parsed = None
            else:
                cells = dict(zip(header, values, strict=True))
                ref = cells.get("partner_ref", "").strip()
                parser = RowParser(line, cells, now)
                parsed = parser.parse()
                errors = parser.errors
                if ref in first_line_of:
                    reason = f"{ref} is already used on line {first_line_of[ref]}"
                    errors.insert(0, RowError(line, "partner_ref", reason))
                elif ref:
                    first_line_of[ref] = line
            if errors or parsed is None:
                report.rejected += 1
                report.errors += errors
                continue
            if report.errors and report.mode == ALL_OR_NOTHING:
                continue  # nothing will be written: keep checking, stop writing
            number = as_id(ref)
            if number is not None and number in kept:
                kept.discard(number)
                partner_id = number
                report.ids_kept += 1
            else:
                partner_id, next_id = next_id, next_id + 1
            pending.append(
                PartnerRecord(
                    partner=parsed.partner,
                    partner_id=partner_id,
                    created_at=now,
                    updated_at=parsed.updated_at or now,
                    verified_at=parsed.verified_at,
                    confirmed_at=parsed.confirmed_at,
                    certification_statuses=parsed.statuses,
                )
            )
            if len(pending) >= BATCH:
                insert_partner_records(session=session, records=pending, actor_label=actor_label)
                written += len(pending)
                pending = []
    insert_partner_records(session=session, records=pending, actor_label=actor_label)
    return written + len(pending)
