"""Settings from the environment: defaults, the PostgreSQL driver rewrite, readable errors."""

from __future__ import annotations

import pytest

from core import cli
from core.commands.runtime import INVALID
from core.settings import DEFAULT_SQLITE_PATH, Settings, SettingsError, get_settings, load_settings

ALL_VARIABLES = (
    "DATABASE_URL",
    "ATLAS_DEMO",
    "ATLAS_DEMO_PARTNERS",
    "ATLAS_DEMO_SEED",
    "ATLAS_SESSION_MINUTES",
    "ATLAS_MAX_FAILED_SIGN_INS",
    "ATLAS_LOCKOUT_MINUTES",
    "ATLAS_CONTACT_REQUESTS_PER_HOUR",
)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_defaults_without_any_variable() -> None:
    settings = load_settings({})
    assert settings.database_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert settings.is_sqlite
    assert (settings.demo_partners, settings.demo_seed) == (2000, 42)
    assert settings.demo is False  # a deployment never gets demo data or demo passwords
    assert (settings.session_minutes, settings.max_failed_sign_ins) == (60, 5)
    assert (settings.lockout_minutes, settings.contact_requests_per_hour) == (15, 5)


def test_each_variable_sets_its_setting() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "sqlite:////tmp/atlas.sqlite",
            "ATLAS_DEMO_PARTNERS": "0",
            "ATLAS_DEMO_SEED": "7",
            "ATLAS_SESSION_MINUTES": "30",
            "ATLAS_MAX_FAILED_SIGN_INS": "3",
            "ATLAS_LOCKOUT_MINUTES": "5",
            "ATLAS_CONTACT_REQUESTS_PER_HOUR": "10",
        }
    )
    assert settings.database_url == "sqlite:////tmp/atlas.sqlite"
    assert (settings.demo_partners, settings.demo_seed, settings.session_minutes) == (0, 7, 30)
    assert (settings.max_failed_sign_ins, settings.lockout_minutes) == (3, 5)
    assert settings.contact_requests_per_hour == 10


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://atlas:pw@db:5432/atlas", "postgresql+psycopg://atlas:pw@db:5432/atlas"),
        ("postgres://atlas@db/atlas", "postgresql+psycopg://atlas@db/atlas"),
        ("postgresql+psycopg://atlas@db/atlas", "postgresql+psycopg://atlas@db/atlas"),
        ("  sqlite:///var/x.sqlite  ", "sqlite:///var/x.sqlite"),
    ],
)
def test_plain_postgres_urls_get_the_psycopg_driver(given: str, expected: str) -> None:
    settings = load_settings({"DATABASE_URL": given})
    assert settings.database_url == expected
    assert settings.is_sqlite == expected.startswith("sqlite")


def test_blank_variables_mean_the_default() -> None:
    settings = load_settings(
        {"DATABASE_URL": "", "ATLAS_DEMO_PARTNERS": "  ", "ATLAS_DEMO_SEED": ""}
    )
    assert settings == load_settings({})


def test_variables_are_case_sensitive_as_on_linux() -> None:
    assert load_settings({"atlas_demo_partners": "5"}).demo_partners == 2000


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"ATLAS_DEMO_PARTNERS": "lots"},
            "invalid setting: ATLAS_DEMO_PARTNERS must be a whole number, not 'lots'",
        ),
        (
            {"ATLAS_SESSION_MINUTES": "0"},
            "invalid setting: ATLAS_SESSION_MINUTES must be 1 or more, not '0'",
        ),
        (
            {"ATLAS_DEMO_PARTNERS": "-5", "ATLAS_LOCKOUT_MINUTES": "ten"},
            "invalid setting: ATLAS_DEMO_PARTNERS must be 0 or more, not '-5'; "
            "ATLAS_LOCKOUT_MINUTES must be a whole number, not 'ten'",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(environ: dict, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value) and "pydantic" not in str(caught.value)


def test_the_process_environment_is_read_and_cached(clean_environment) -> None:
    clean_environment.setenv("DATABASE_URL", "postgres://atlas@db/atlas")
    clean_environment.setenv("ATLAS_DEMO_SEED", "9")
    settings = get_settings()
    assert isinstance(settings, Settings)
    assert (settings.database_url, settings.demo_seed) == ("postgresql+psycopg://atlas@db/atlas", 9)
    clean_environment.setenv("ATLAS_DEMO_SEED", "10")
    assert get_settings() is settings  # cached until cache_clear()
    assert load_settings().demo_seed == 10  # read afresh


def test_an_explicit_mapping_ignores_the_process_environment(clean_environment) -> None:
    clean_environment.setenv("ATLAS_DEMO_PARTNERS", "lots")
    assert load_settings({}).demo_partners == 2000


def test_settings_cannot_be_changed_after_loading() -> None:
    settings = load_settings({})
    with pytest.raises(ValueError, match="frozen"):
        settings.demo_seed = 1  # type: ignore[misc]


def test_the_command_line_prints_one_line_and_exits_2(clean_environment, capsys) -> None:
    clean_environment.setenv("ATLAS_DEMO_PARTNERS", "lots")
    assert cli.main(["seed", "--if-empty"]) == INVALID
    captured = capsys.readouterr()
    assert captured.err == (
        "error: invalid setting: ATLAS_DEMO_PARTNERS must be a whole number, not 'lots'\n"
    )
    assert captured.out == ""
