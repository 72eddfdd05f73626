"""The web worker's start (portal/wsgi.py): what it loaded is out of the garbage collector's sight."""

import json
import os
import subprocess
import sys

from django.conf import settings

# In a process of its own: freezing the test process's objects would change how it collects.
SCRIPT = """
import gc, json, sys
import portal.wsgi
print(json.dumps({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold(),
                  "application": type(portal.wsgi.application).__name__}))
"""


def test_a_web_worker_freezes_what_it_loaded_and_collects_the_young_less_often():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    # Django, the apps and their modules: well over ten thousand objects, none scanned again.
    assert answer["frozen"] > 10_000
    assert answer["threshold"] == [7000, 10, 10]
    assert answer["application"] == "WSGIHandler"
