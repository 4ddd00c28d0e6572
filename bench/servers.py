"""The servers under test: started pinned to a core, measured from /proc, stopped."""

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from config import serve

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FD_LIMIT = resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raise_fd_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def pinned(command, cpu):
    """`command` on one core, when taskset can do it (taskset execs, so the pid is the same)."""
    if cpu is None or not Path("/usr/bin/taskset").exists():
        return command
    return ["/usr/bin/taskset", "-c", str(cpu), *command]


class Server:
    def __init__(self, name, command, env=None, cpu=0, log_dir=None):
        self.name = name
        self.port = free_port()
        self.command = [part.format(port=self.port) for part in command]
        self.env = {**os.environ, **(env or {})}
        self.cpu = cpu
        self.log_path = Path(log_dir or "/tmp") / f"bench-{name}-{self.port}.log"
        self.process = None

    def ws_url(self, slug):
        return f"ws://127.0.0.1:{self.port}/ws/rooms/{slug}/"

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                pinned(self.command, self.cpu),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=raise_fd_limit,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log_path}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen within {timeout} s")

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    def rss_kib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def socico(env, cpu=0, name="socico", kind="daphne"):
    return Server(name, serve.command(kind, "127.0.0.1", "{port}"), env, cpu)


def bare_websockets(cpu=0):
    return Server("B0", [PYTHON, "-m", "bench.baselines.bare_websockets", "{port}"], cpu=cpu)


def tutorial_channels(cpu=0):
    # Served as the Channels tutorial serves it: plain daphne.
    command = [PYTHON, "-m", "daphne", *("--websocket_timeout", "-1", "-b", "127.0.0.1")]
    command += ["-p", "{port}"]
    return Server("B1", [*command, "bench.baselines.tutorial_channels:application"], cpu=cpu)


def static_http(page_file, cpu=0):
    command = [PYTHON, "-m", "bench.baselines.static_http", "{port}", str(page_file)]
    return Server("H0", command, cpu=cpu)


class RedisServer(Server):
    def __init__(self, cpu=None):
        command = ["redis-server", "--port", "{port}", "--bind", "127.0.0.1"]
        super().__init__("redis", [*command, "--save", "", "--appendonly", "no"], cpu=cpu)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"
