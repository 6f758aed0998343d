"""The read index on disk: a new process maps it instead of reading the whole directory.

A build at a million partners takes ~25 s; mapping a snapshot takes well under a second.
Each snapshot is a directory of plain files: NumPy arrays as ``.npy`` (opened with
``mmap_mode="c"``: copy-on-write, so every process on the machine shares the same page-cache
pages and an in-place edit of one process stays private to it), Arrow arrays as Arrow IPC
files (memory-mapped, zero-copy), the rest in ``meta.json``. A snapshot is written in a
temporary directory, fsynced, renamed, and only then named in ``CURRENT`` (itself replaced
atomically), so a reader sees the previous snapshot or the new one, never half of one.

A snapshot is refused (None) when it is from another day (certifications expire), from
another taxonomy or partner-attributes file, another format version, or when any file is
missing, truncated or altered (sizes and CRC-32s are in ``meta.json``). A snapshot older
than the database is still used: the holder catches it up (core.search.index).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from core.partner_attributes import get_attributes
from core.search.index import ReadIndex
from core.search.token_index import TokenIndex
from core.taxonomy import get_taxonomy

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
CURRENT = "CURRENT"  # names the snapshot directory in use
LOCK = ".lock"
META = "meta.json"
PREFIX = "snapshot-"
# A crashed writer leaves its temporary directory; removed once clearly abandoned.
ABANDONED_SECONDS = 3600
# Cached properties computed at build time, saved so no process recomputes them.
CACHED = ("strength", "hq_state")
_CRC_BLOCK = 16 << 20


def data_fingerprint() -> str:
    """What the index's layout depends on besides the database: the taxonomy (areas,
    segments, certification catalogue, vendors) and the partner attributes (bit orders)."""
    text = repr(get_taxonomy()) + "\n" + repr(get_attributes())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as handle:
        while block := handle.read(_CRC_BLOCK):
            crc = zlib.crc32(block, crc)
    return crc


def _write_arrow(path: Path, value: pa.Array | pa.ChunkedArray) -> None:
    chunks = value.chunks if isinstance(value, pa.ChunkedArray) else [value]
    schema = pa.schema([pa.field("v", value.type)])
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for chunk in chunks:
            writer.write_batch(pa.record_batch([chunk], schema=schema))


def _read_arrow(path: Path, *, chunked: bool) -> pa.Array | pa.ChunkedArray:
    # Memory-mapped and uncompressed: the arrays point into the page cache, no copy.
    column = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all().column(0)
    if chunked:
        return column
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _read_npy(path: Path) -> np.ndarray:
    header_only = np.load(path, mmap_mode="r")  # cheap: maps, reads only the header
    if header_only.size == 0:  # an empty file region cannot be mapped
        return np.load(path)
    # A plain ndarray view of the map (the view keeps the map open): results of
    # arithmetic on it are ordinary arrays, not np.memmap.
    return np.asarray(np.load(path, mmap_mode="c"))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_files(index: ReadIndex, target: Path) -> dict[str, Any]:
    """Every field of the index into `target`; returns the meta (without checksums)."""
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(index):
        value = getattr(index, field.name)
        if value is None:
            fields[field.name] = {"kind": "none"}
        elif isinstance(value, np.ndarray):
            np.save(target / f"{field.name}.npy", np.ascontiguousarray(value))
            fields[field.name] = {"kind": "npy"}
        elif isinstance(value, pa.Array | pa.ChunkedArray):
            _write_arrow(target / f"{field.name}.arrow", value)
            chunked = isinstance(value, pa.ChunkedArray)
            fields[field.name] = {"kind": "arrow", "chunked": chunked}
        elif isinstance(value, TokenIndex):
            _write_arrow(target / "tokens.vocabulary.arrow", pa.array(value.vocabulary))
            np.save(target / "tokens.starts.npy", value.starts)
            np.save(target / "tokens.rows.npy", value.rows)
            fields[field.name] = {"kind": "tokens"}
        elif isinstance(value, date):
            fields[field.name] = {"kind": "date", "value": value.isoformat()}
        elif isinstance(value, tuple):
            fields[field.name] = {"kind": "tuple", "value": list(value)}
        elif isinstance(value, int | float | str | bool):
            fields[field.name] = {"kind": "plain", "value": value}
        else:  # a new kind of field must be taught here, not silently dropped
            raise TypeError(f"cannot save ReadIndex.{field.name} of type {type(value)}")
    breadth, backing = index.strength
    np.save(target / "strength.breadth.npy", breadth)
    np.save(target / "strength.backing.npy", backing)
    np.save(target / "hq_state.npy", index.hq_state)
    return {
        "format": FORMAT_VERSION,
        "fingerprint": data_fingerprint(),
        "data_version": index.data_version,
        "built_for_day": index.built_for_day.isoformat(),
        "saved_at": time.time(),
        "partners": index.size,
        "fields": fields,
    }


def save_snapshot(index: ReadIndex, directory: Path) -> Path:
    """Write `index` as a new snapshot in `directory` and make it current (atomically);
    returns the snapshot's own directory. A snapshot older (day, data version) than the
    current one is written but not made current: a slow writer never goes back in time."""
    directory.mkdir(parents=True, exist_ok=True)
    temp = directory / f".tmp-{uuid.uuid4().hex}"
    temp.mkdir()
    try:
        meta = _write_files(index, temp)
        files = {}
        for path in sorted(temp.iterdir()):
            with path.open("rb+") as handle:
                os.fsync(handle.fileno())
            files[path.name] = {"size": path.stat().st_size, "crc32": _crc(path)}
        meta["files"] = files
        (temp / META).write_text(json.dumps(meta), encoding="utf-8")
        with (temp / META).open("rb+") as handle:
            os.fsync(handle.fileno())
        day, version = index.built_for_day.isoformat(), index.data_version
        name = f"{PREFIX}{day}-v{version}-{uuid.uuid4().hex[:8]}"
        final = directory / name
        os.rename(temp, final)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _fsync_dir(directory)
    with locked(directory):
        current = _read_meta(_current_dir(directory))
        mine = (index.built_for_day.isoformat(), index.data_version)
        if current is None or mine >= (current["built_for_day"], current["data_version"]):
            pointer = directory / f".{CURRENT}-{uuid.uuid4().hex}"
            pointer.write_text(name, encoding="utf-8")
            with pointer.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(pointer, directory / CURRENT)
            _fsync_dir(directory)
        _prune(directory, keep={name})
    return final


@contextlib.contextmanager
def locked(directory: Path, name: str = LOCK, *, wait: bool = True) -> Iterator[bool]:
    """An exclusive lock between processes on this machine; yields False when `wait` is
    off and another process holds it."""
    with (directory / name).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prune(directory: Path, *, keep: set[str]) -> None:
    """Keep the current snapshot, the one before it (a reader may be opening it right now)
    and `keep`; remove older ones and abandoned temporary directories. Processes that
    still map a removed snapshot keep its pages until they let go (POSIX unlink)."""
    current = (
        (directory / CURRENT).read_text(encoding="utf-8").strip()
        if (directory / CURRENT).exists()
        else ""
    )
    snapshots = sorted(
        (p for p in directory.iterdir() if p.name.startswith(PREFIX)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    keep = keep | {current} | {p.name for p in snapshots[:2]}
    for path in snapshots:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    now = time.time()
    for path in directory.glob(".tmp-*"):
        if now - path.stat().st_mtime > ABANDONED_SECONDS:
            shutil.rmtree(path, ignore_errors=True)


def _current_dir(directory: Path) -> Path | None:
    try:
        name = (directory / CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, ValueError):  # missing, or not even text
        return None
    if not name.startswith(PREFIX) or "/" in name or "\x00" in name:
        return None
    return directory / name


def _read_meta(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def snapshot_meta(directory: Path) -> dict[str, Any] | None:
    """The current snapshot's meta (day, data version, ...), without loading it."""
    return _read_meta(_current_dir(directory))


def load_snapshot(directory: Path, *, today: date) -> ReadIndex | None:
    """The current snapshot in `directory` if usable today, else None (never raises for a
    bad or missing snapshot: the caller builds from the database instead)."""
    return load_snapshot_dir(_current_dir(directory), today=today)


def load_snapshot_dir(path: Path | None, *, today: date) -> ReadIndex | None:
    meta = _read_meta(path)
    if path is None or meta is None:
        return None
    try:
        return _load(path, meta, today=today)
    except Exception as exc:  # a damaged snapshot is a cache miss, never an outage
        log.warning("index snapshot %s refused: %s", path, exc)
        return None


def _load(path: Path, meta: dict[str, Any], *, today: date) -> ReadIndex | None:
    if meta.get("format") != FORMAT_VERSION:
        return None
    if meta.get("built_for_day") != today.isoformat():
        return None
    if meta.get("fingerprint") != data_fingerprint():
        return None
    files: dict[str, dict[str, int]] = meta["files"]
    for name, expected in files.items():
        file = path / name
        if file.stat().st_size != expected["size"] or _crc(file) != expected["crc32"]:
            log.warning("index snapshot %s: %s is damaged", path, name)
            return None
    values: dict[str, Any] = {}
    for name, spec in meta["fields"].items():
        kind = spec["kind"]
        if kind == "none":
            values[name] = None
        elif kind == "npy":
            values[name] = _read_npy(path / f"{name}.npy")
        elif kind == "arrow":
            values[name] = _read_arrow(path / f"{name}.arrow", chunked=spec["chunked"])
        elif kind == "tokens":
            vocabulary = _read_arrow(path / "tokens.vocabulary.arrow", chunked=False)
            values[name] = TokenIndex(
                vocabulary=vocabulary.to_pylist(),
                starts=_read_npy(path / "tokens.starts.npy"),
                rows=_read_npy(path / "tokens.rows.npy"),
            )
        elif kind == "date":
            values[name] = date.fromisoformat(spec["value"])
        elif kind == "tuple":
            values[name] = tuple(spec["value"])
        else:
            values[name] = spec["value"]
    index = ReadIndex(**values)
    # cached_property keeps its value in the instance dict: put the saved ones there.
    index.__dict__["strength"] = (
        _read_npy(path / "strength.breadth.npy"),
        _read_npy(path / "strength.backing.npy"),
    )
    index.__dict__["hq_state"] = _read_npy(path / "hq_state.npy")
    return index
