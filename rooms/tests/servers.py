"""Real server processes (daphne, uvicorn) on loopback, serving the test database."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from config import serve

BASE_DIR = Path(settings.BASE_DIR)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{process.args[0]} did not listen on {port} within {timeout} s")


def database_url():
    """DATABASE_URL of the database pytest-django created, for another process to use."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """A daphne (or uvicorn) process running config.asgi as the README serves it, no debug."""

    def __init__(self, port=None, extra_env=None, log_path=None, kind="daphne"):
        self.kind = kind
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = extra_env or {}
        self.log_path = log_path  # where the server's output goes; inherited when None
        self.process = None

    def start(self, timeout=30):
        env = {
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # The same key as this process, so the sessions the tests sign in with are valid.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback; and every client here (crowds, browsers signing up
            # users) comes from one address.
            "DJANGO_BEHIND_TLS": "0",
            "SOCICO_SIGNUP_RATE": "1000/60",
            "SOCICO_MAX_SOCKETS_PER_ADDRESS": "10000",
            "SOCICO_CONNECT_RATE": "10000/1",
            "SOCICO_SIGNUP_ATTEMPT_RATE": "1000/60",
            "DATABASE_URL": database_url(),
            **({"REDIS_URL": settings.REDIS_URL} if settings.REDIS_URL else {}),
            **self.extra_env,
        }
        log = self.log_path.open("a") if self.log_path else None
        self.process = subprocess.Popen(
            serve.command(self.kind, "127.0.0.1", self.port),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=log,
        )
        if log:
            log.close()  # the child holds its own copy
        wait_for_port(self.port, self.process, timeout)
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class RedisServer:
    """A private redis-server that keeps nothing on disk."""

    def __init__(self, workdir, port=None):
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self, timeout=10):
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, timeout)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
