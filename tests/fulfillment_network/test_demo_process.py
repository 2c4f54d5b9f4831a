"""The demo as a user runs it: a process that starts its own cluster, members
and gateway, and leaves nothing running when it is told to stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fulfillment_network.postgres import DSN_ENV


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_demo_leaves_nothing_running(
    tmp_path: Path, stop: signal.Signals
) -> None:
    gateway_port, member_port, metrics_port = _free_port(), _free_port(), _free_port()
    data_dir = tmp_path / "postgres"
    env = {key: value for key, value in os.environ.items() if key != DSN_ENV}
    demo = subprocess.Popen(
        [
            *(sys.executable, "-m", "fulfillment_network", "demo"),
            *("--members", "1", "--data-dir", str(data_dir)),
            *("--gateway-port", str(gateway_port)),
            *("--member-port", str(member_port)),
            *("--metrics-port", str(metrics_port)),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # A shell's background job ignores SIGINT; a terminal's does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 180
        ready = f"http://127.0.0.1:{gateway_port}/ready"
        while not _answers(ready):
            assert demo.poll() is None, "the demo exited before it was ready"
            assert time.monotonic() < deadline, "the demo was not ready in time"
            time.sleep(0.5)
        assert _listening(member_port)
        # The gateway's metrics, on a listener of their own.
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        with urllib.request.urlopen(metrics, timeout=5) as response:
            assert b'gateway_member_up{member="ASH"} 1.0' in response.read()

        demo.send_signal(stop)

        assert demo.wait(timeout=60) == 130
    finally:
        if demo.poll() is None:
            demo.kill()
    assert not _listening(gateway_port)
    assert not _listening(member_port)
    assert not _listening(metrics_port)
    # The cluster stopped too: PostgreSQL removes its pid file on shutdown.
    assert not (data_dir / "postmaster.pid").exists()
