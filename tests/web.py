"""What tests of the web side share: the console script, a free port, a served app, CSRF tokens."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

STEERCO = shutil.which("steerco", path=str(Path(sys.executable).parent)) or "steerco"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@contextmanager
def served(db_url: str, folder: Path, *, workers: int = 2, secret: str | None = None) -> Iterator[str]:
    """A real ``steerco serve`` (gunicorn, threaded workers) on ``db_url``; yields its base URL.
    ``secret``: STEERCO_SECRET_KEY (none: the demo database's own secret)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    env.update(STEERCO_DATABASE_URL=db_url, STEERCO_LOG_LEVEL="WARNING")
    if secret is not None:
        env["STEERCO_SECRET_KEY"] = secret
    port = free_port()
    log_path = folder / f"serve-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([STEERCO, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                                cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("steerco serve did not start:\n" + log_path.read_text())
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)
