"""Exactly one Celery beat in every deployment shape: two beats would run every periodic job twice."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _beats(text: str) -> int:
    """Processes that run beat: ``celery … beat`` or a worker with an embedded beat (-B)."""
    return len(re.findall(r"celery\b[^\n]*\bbeat\b", text)) + len(
        re.findall(r"celery\b[^\n]*\bworker\b[^\n]*\s(?:-B|--beat)\b", text)
    )


def test_the_procfile_runs_exactly_one_beat():
    assert _beats((ROOT / "Procfile").read_text()) == 1


def test_docker_compose_runs_exactly_one_beat_and_never_scales_it():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert _beats(compose) == 1
    beat = compose[compose.index("\n  beat:") :]
    assert "replicas" not in beat


def test_an_embedded_beat_in_a_worker_is_counted():
    assert _beats('command: ["celery", "-A", "portal", "worker", "-B"]'.replace('", "', " ")) == 1
