"""One typed settings object, read from the environment with embedded defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "partner_atlas.sqlite"


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path = DATA_DIR
    demo_partners: int = 2000
    demo_seed: int = 42
    session_minutes: int = 60
    max_failed_sign_ins: int = 5
    lockout_minutes: int = 15
    contact_requests_per_session: int = 3

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from `environ` (default: the process environment).

    Without DATABASE_URL the app runs on an embedded SQLite file under var/.
    A plain ``postgresql://`` URL is upgraded to the psycopg 3 driver we ship.
    """
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        url = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    elif url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return Settings(
        database_url=url,
        demo_partners=_env_int(env, "ATLAS_DEMO_PARTNERS", 2000),
        demo_seed=_env_int(env, "ATLAS_DEMO_SEED", 42),
        session_minutes=_env_int(env, "ATLAS_SESSION_MINUTES", 60),
        max_failed_sign_ins=_env_int(env, "ATLAS_MAX_FAILED_SIGN_INS", 5),
        lockout_minutes=_env_int(env, "ATLAS_LOCKOUT_MINUTES", 15),
        contact_requests_per_session=_env_int(env, "ATLAS_CONTACT_REQUESTS_PER_SESSION", 3),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
