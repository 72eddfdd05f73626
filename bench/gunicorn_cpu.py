"""gunicorn configuration for bench/load_test.py --per-page-cpu: CPU time of each request, by page.

A sync worker serves one request at a time, so the worker's CPU clock between ``pre_request`` and
``post_request`` is that request's Python cost (PostgreSQL's work is in its own processes). Each
worker writes its totals, by method and path with numbers folded to ``N``, to
``$LOAD_PAGE_CPU_DIR/worker-<pid>.json`` when it exits.
"""

import json
import os
import re
import time
from collections import defaultdict
from pathlib import Path

_NUMBER = re.compile(r"\d+")
_totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
_started = [0.0]


def pre_request(worker, req):
    _started[0] = time.process_time()


def post_request(worker, req, environ, resp):
    key = f"{req.method} {_NUMBER.sub('N', req.path)}"
    entry = _totals[key]
    entry[0] += 1
    entry[1] += time.process_time() - _started[0]


def worker_exit(server, worker):
    folder = os.environ.get("LOAD_PAGE_CPU_DIR")
    if folder:
        Path(folder, f"worker-{os.getpid()}.json").write_text(json.dumps(_totals))
