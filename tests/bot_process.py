"""The real bot process (`python -m bot ...`) for fault tests: started with a
clean environment that points it at fake platform servers, its output kept
in files so that a test can read everything it printed."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotProcess:
    def __init__(self, folder: Path, env: dict[str, str], *args: str):
        self.folder = folder
        self.args = args or ("serve",)
        self.port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", str(folder)),  # matplotlib's font cache, built once
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bot.db'}",
            "FILES_DIR": str(folder / "files"),
            "BOT_HTTP_HOST": "127.0.0.1",
            "BOT_HTTP_PORT": str(self.port),
            "TZ": "Asia/Ho_Chi_Minh",
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self._out = folder / "stdout.txt"
        self._err = folder / "stderr.txt"

    async def start(self) -> BotProcess:
        with self._out.open("wb") as out, self._err.open("wb") as err:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *self.args, cwd=self.folder, env=self.env, stdout=out, stderr=err,
            )
        return self

    @property
    def output(self) -> str:
        """Everything printed so far, stdout then stderr."""
        return self._out.read_text(errors="replace") + self._err.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self._err.read_text(errors="replace")

    async def wait(self, timeout: float) -> int:
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def healthy(self, timeout: float = 60.0) -> None:
        """Wait until the process answers GET /health (it keeps serving)."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession() as client:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.output}")
                try:
                    async with client.get(f"http://127.0.0.1:{self.port}/health") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"the bot did not serve /health:\n{self.output}")
                await asyncio.sleep(0.1)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return await self.wait(10)
            except TimeoutError:
                self.process.kill()
        return await self.process.wait()
