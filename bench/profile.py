"""Where a server's time goes: py-spy samples of one scenario, summed by function.

`make bench BENCH_ARGS=--profile` records each Socico server through its largest fan-out, the
posting scenario and the room page, and writes bench/results/profile-<scenario>-<server>.txt.
Only the thread holding the GIL is sampled: the figures are shares of the Python CPU time, and
work done without the GIL (SQLite's queries, waiting threads) does not show.
"""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

PY_SPY = Path(sys.executable).with_name("py-spy")


class Recording:
    """py-spy sampling `server` until stopped; `summary()` reads what it saw."""

    def __init__(self, server, output):
        self.output = Path(output)
        self.raw = self.output.with_suffix(".raw")
        command = [str(PY_SPY if PY_SPY.exists() else shutil.which("py-spy"))]
        command += ["record", "--pid", str(server.process.pid), "--format", "raw"]
        command += ["--output", str(self.raw), "--rate", "250", "--nonblocking", "--gil"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self):
        # SIGINT makes py-spy write what it has and exit.
        self.process.send_signal(subprocess.signal.SIGINT)
        self.process.wait(30)
        self.output.write_text(summary(self.raw.read_text()))


def summary(raw, top=25):
    """Share of samples per function: where it ran itself, and what it ran under."""
    own, inclusive, total = Counter(), Counter(), 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        count = int(count)
        frames = [_function(frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples"]
    for title, counter in (("own time", own), ("inclusive time", inclusive)):
        lines += ["", f"{title}:"]
        lines += [f"{n / total:6.1%}  {frame}" for frame, n in counter.most_common(top)]
    return "\n".join(lines) + "\n"


def _function(frame):
    # "send (channels/generic/websocket.py:226)" -> "send (channels/generic/websocket.py)"
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name
