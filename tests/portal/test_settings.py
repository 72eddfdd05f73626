"""Production mode is hardened and refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7!Qm2#pZr9$Lk4@Vw8^Nt6&Hs3*Jd5(Fb1)Gc0-Ye+Ua_Xi=Oe;Pl:Rk<Sj>Tm?Wn",
    "ALLOWED_HOSTS": "portail.villeneuves.example",
    "DATABASE_URL": "sqlite:///var/prod-check.sqlite3",
}


def _manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "SECRET_KEY", "DEBUG"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_in_production_mode():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_secret_key_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(PRODUCTION_ENV["SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env["SECRET_KEY_FILE"] = str(secret_file)
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_migrations_match_the_models():
    result = _manage("makemigrations", "--check", "--dry-run", env_overrides={})
    assert result.returncode == 0, result.stdout + result.stderr


def test_french_is_the_default_language_and_english_the_second(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "en"]
    assert settings.TIME_ZONE == "Europe/Paris"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite options only apply to the embedded database")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
