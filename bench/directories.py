"""Generated directories for benchmarks, made once and kept in .cache/bench/.

Seeding a million partners takes minutes, so every benchmark reuses the same file for a
size; the seed is fixed, so the file is the same on every machine.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench"
SEED = 42


# The modules that make the partners themselves; a directory without activity depends on
# these alone, so a change to the activity generators does not remake it.
PROFILE_MODULES = ("profiles.py", "certifications.py", "places.py", "words.py")


def _generator_fingerprint(*, with_activity: bool) -> str:
    """Short hash of the demo generator's code: when it changes, the directory is remade."""
    digest = hashlib.sha256()
    for source in sorted((ROOT / "core" / "demo").glob("*.py")):
        if with_activity or source.name in PROFILE_MODULES:
            digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def _stem(partners: int, with_activity: bool) -> str:
    kind = "activity" if with_activity else "directory"
    return f"{kind}-{partners}-seed{SEED}-{_generator_fingerprint(with_activity=with_activity)}"


def directory_url(partners: int, *, with_activity: bool = False) -> str:
    """A SQLite URL for a seeded directory of `partners`: without leads/figures, or with
    the generator's whole activity (leads, programs, figures; the file name carries the
    generator's fingerprint, so a changed generator gets a fresh directory)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{_stem(partners, with_activity)}.sqlite"
    done = path.with_suffix(".done")
    url = f"sqlite:///{path}"
    if not done.exists():
        for stale in CACHE.glob(f"{path.name}*"):
            stale.unlink()
        started = time.perf_counter()
        print(f"[bench] seeding {partners:,} partners into {path.name} …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "core", "seed", "--partners", str(partners),
             "--seed", str(SEED), *([] if with_activity else ["--no-activity"])],
            cwd=ROOT,
            # A benchmark directory is a demo directory (demo accounts included).
            env={**os.environ, "DATABASE_URL": url, "ATLAS_DEMO": "1"},
            check=True,
        )  # fmt: skip
        done.write_text(f"{time.perf_counter() - started:.1f}\n")
        print(f"[bench] seeded in {time.perf_counter() - started:.0f} s", flush=True)
    # A directory seeded before a newer migration is brought up to the schema, not remade:
    # new tables and columns cost seconds, a million partners cost minutes.
    subprocess.run(
        [sys.executable, "-m", "core", "migrate"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return url


def seed_seconds(partners: int, *, with_activity: bool = False) -> float | None:
    done = CACHE / f"{_stem(partners, with_activity)}.done"
    return float(done.read_text()) if done.exists() else None
