"""A real OpenAI-compatible server for the tests: ``python -m llama_cpp.server`` on loopback."""

from __future__ import annotations

import tempfile
from pathlib import Path


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LlamaServer:
    """``python -m llama_cpp.server`` on a free loopback port, started and stopped by the tests."""

    def __init__(
        self,
        model: Path,
        alias: str,
        api_key: str = "",
        threads: int = 2,
        interrupt_requests: bool = True,
    ) -> None:
        import subprocess
        import sys
        import time
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.alias = alias
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
        cmd += ["--model_alias", alias, "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--n_ctx", "4096", "--n_threads", str(threads), "--embedding", "true"]
        if api_key:
            cmd += ["--api_key", api_key]
        if not interrupt_requests:
            cmd += ["--interrupt_requests", "false"]
        self.log = Path(tempfile.mkstemp(prefix="llama-server-", suffix=".log")[1])
        self.proc = subprocess.Popen(cmd, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.log.read_text()[-2000:]}")
            try:
                request = urllib.request.Request(f"{self.url}/models")
                if api_key:
                    request.add_header("Authorization", f"Bearer {api_key}")
                urllib.request.urlopen(request, timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("llama_cpp.server did not answer /v1/models within 120 s")

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
