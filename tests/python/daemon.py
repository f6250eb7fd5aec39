"""A real w2vd for the tests: started on a free loopback port (port 0; the port read from its
"listening on" log line) with a fresh data directory, stopped with SIGTERM or SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def w2vd_binary() -> str:
    """$W2VD_BIN (CTest sets it), else this tree's build."""
    return os.environ.get("W2VD_BIN") or os.path.join(REPO, "build", "server", "w2vd")


class Daemon:
    def __init__(self, data_dir: str, args: Optional[List[str]] = None, port: int = 0) -> None:
        self.data_dir = data_dir
        self.args = list(args or [])
        self.log = ""
        self.proc: Optional[subprocess.Popen] = None
        self.port = port
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        cmd = [w2vd_binary(), "--port", str(self.port), "--data-dir", self.data_dir, "--bind", "127.0.0.1", *self.args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        listening = threading.Event()

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace")
                self.log += line
                m = re.search(r"listening on http://[0-9.]+:([0-9]+)", line)
                if m and not listening.is_set():
                    self.port = int(m.group(1))
                    listening.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not listening.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("w2vd did not start listening; log:\n" + self.log)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc is None:
            return 0
        self.proc.send_signal(sig)
        rc = self.proc.wait(30)
        self.proc = None
        return rc
