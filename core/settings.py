"""One typed settings object, read from the environment with embedded defaults.

Every setting names its environment variable (``validation_alias``), so an error names the
variable a person has to fix. A blank variable counts as unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticUseDefault
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "partner_atlas.sqlite"
DEFAULT_INDEX_SNAPSHOT_DIR = PROJECT_ROOT / "var" / "index"
# The PostgreSQL driver we ship is psycopg 3; SQLAlchemy's plain "postgresql://" means psycopg2.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
PSYCOPG_SCHEME = "postgresql+psycopg://"


class SettingsError(ValueError):
    """An environment variable holds a value the app cannot use; the message is one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}", validation_alias="DATABASE_URL"
    )
    # Demo mode: only then does a first start (or `python -m core seed`) create the demo
    # directory and the demo accounts, whose passwords are published in the README. Off by
    # default so that a real deployment never gets them by accident; `make run` switches it on.
    demo: bool = Field(default=False, validation_alias="ATLAS_DEMO")
    demo_partners: int = Field(default=2000, ge=0, validation_alias="ATLAS_DEMO_PARTNERS")
    demo_seed: int = Field(default=42, validation_alias="ATLAS_DEMO_SEED")
    session_minutes: int = Field(default=60, ge=1, validation_alias="ATLAS_SESSION_MINUTES")
    max_failed_sign_ins: int = Field(default=5, ge=1, validation_alias="ATLAS_MAX_FAILED_SIGN_INS")
    lockout_minutes: int = Field(default=15, ge=0, validation_alias="ATLAS_LOCKOUT_MINUTES")
    # Failed sign-ins from one client address (any accounts) before that address is throttled;
    # each throttle of the same address lasts twice as long as the one before
    # (core/accounts/throttle.py).
    max_failed_sign_ins_per_address: int = Field(
        default=10, ge=1, validation_alias="ATLAS_MAX_FAILED_SIGN_INS_PER_ADDRESS"
    )

    # Contact requests: per visitor address and per email, in any rolling hour (database).
    contact_requests_per_hour: int = Field(
        default=5, ge=0, validation_alias="ATLAS_CONTACT_REQUESTS_PER_HOUR"
    )
    # Searches recorded as demand per visitor address in any rolling hour (database): beyond
    # it a visitor still searches, but no longer moves the "unmet demand" vendors see.
    demand_events_per_hour: int = Field(
        default=20, ge=0, validation_alias="ATLAS_DEMAND_EVENTS_PER_HOUR"
    )
    # Email: without an SMTP URL messages stay in the outbox (Outbox page, `outbox` command).
    smtp_url: str | None = Field(default=None, validation_alias="ATLAS_SMTP_URL")
    mail_from: str = Field(
        default="Partner Atlas <no-reply@partner-atlas.invalid>", validation_alias="ATLAS_MAIL_FROM"
    )
    # Links in emails are absolute: where the app is reached from outside.
    base_url: str = Field(default="http://localhost:8501", validation_alias="ATLAS_BASE_URL")
    # Lead routing: a partner that lets this many offers in a row expire gets no offers for
    # the cooling period.
    offer_expiry_streak: int = Field(default=3, ge=1, validation_alias="ATLAS_OFFER_EXPIRY_STREAK")
    offer_cooling_hours: int = Field(default=72, ge=0, validation_alias="ATLAS_OFFER_COOLING_HOURS")
    # PostgreSQL: how long opening a connection may wait before it counts as "database
    # unavailable" (a host that vanished drops packets rather than refusing: without a limit
    # every page run would hang on it). Seconds, libpq's connect_timeout.
    database_connect_timeout_seconds: int = Field(
        default=5, ge=1, validation_alias="ATLAS_DATABASE_CONNECT_TIMEOUT_SECONDS"
    )
    # How often `python -m core worker` looks for due work.
    worker_interval_seconds: float = Field(
        default=5.0, gt=0, validation_alias="ATLAS_WORKER_INTERVAL_SECONDS"
    )
    # Snapshots of the read index (core.search.snapshot): a new process maps one instead of
    # reading the whole directory, and rebuilds run in a child process. "off": neither.
    index_snapshot_dir: str = Field(
        default=str(DEFAULT_INDEX_SNAPSHOT_DIR), validation_alias="ATLAS_INDEX_SNAPSHOT_DIR"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # `export ATLAS_DEMO_SEED=` (or a stray space) should mean "use the default", as it
        # did before these settings were typed, not "not a whole number".
        if isinstance(value, str):
            if not value.strip():
                raise PydanticUseDefault()
            return value.strip()
        return value

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, url: str) -> str:
        for scheme in POSTGRES_SCHEMES:
            if url.startswith(scheme):
                return PSYCOPG_SCHEME + url.removeprefix(scheme)
        return url

    @field_validator("base_url")
    @classmethod
    def _absolute_base(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("smtp://", "smtps://")):
            raise ValueError("must look like smtp://user:password@host:587")
        return url

    @property
    def index_snapshot_path(self) -> Path | None:
        """Where index snapshots go; None when switched off."""
        if self.index_snapshot_dir.lower() == "off":
            return None
        return Path(self.index_snapshot_dir)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class _SettingsFromMapping(Settings):
    """The same settings read from a given mapping only, never from the process environment
    (a test or tool passing its own variables must not pick up the shell's)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _problem(error: Mapping[str, Any]) -> str:
    """One error as a phrase naming the variable: 'ATLAS_DEMO_PARTNERS must be …, not 'lots''."""
    name = str(error["loc"][0]) if error.get("loc") else "a setting"
    context = error.get("ctx") or {}
    kind = error["type"]
    if kind in ("int_parsing", "int_from_float", "int_type"):
        rule = "must be a whole number"
    elif kind == "greater_than_equal":
        rule = f"must be {context['ge']} or more"
    else:
        rule = str(error["msg"]).removeprefix("Value error, ")
        rule = "is invalid: " + rule[:1].lower() + rule[1:]
    return f"{name} {rule}, not {error.get('input')!r}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (default: the process environment).

    Without DATABASE_URL the app runs on an embedded SQLite file under var/. Raises
    SettingsError, whose message names each bad variable, on one line.
    """
    try:
        if environ is None:
            return Settings()
        variables: dict[str, Any] = dict(environ)
        return _SettingsFromMapping(**variables)
    except ValidationError as exc:
        problems = "; ".join(_problem(error) for error in exc.errors())
        raise SettingsError(f"invalid setting: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
