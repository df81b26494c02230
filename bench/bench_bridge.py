"""What the process boundary of bridge mode costs, next to the same figures in-process.

Run: ``.venv-wangp/bin/python bench/bench_bridge.py`` (from the repository root). Prints figures,
asserts nothing about time. A scripted host (:class:`BenchHost`, built in the child from this file)
emits the messages, so the figures are the transport's, not WanGP's:

- preview latency: from the host putting an 832x480 RGBA float32 preview (6.4 MB) on its queue to the
  parent's ``drain()`` returning it, draining every millisecond like a busy pump;
- throughput: small ``Progress`` messages per second, emitted back to back;
- start: from ``start()`` to the ``ready`` state (an interpreter start and the backend's imports).

The emit time travels in the message's ``shot_key``: ``time.perf_counter`` reads a system-wide
monotonic clock on Linux, macOS and Windows, so it is comparable across the two processes.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wangp_backend.hosts.api import drain_queue  # noqa: E402
from wangp_backend.hosts.bridge import BridgeHost  # noqa: E402
from wangp_backend.messages import Log, Message, Preview, Progress, Queued, SessionState  # noqa: E402
from wangp_backend.requests import JobRequest, SessionConfig  # noqa: E402

END = "bench end"


class BenchHost:
    """A host that emits scripted messages from its own thread; ``request.settings["bench"]`` picks the script."""

    mode = "in_process"

    def __init__(self, config: SessionConfig, *, width: int = 832, height: int = 480, **_options: Any) -> None:
        self._messages: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self._pixels = np.random.default_rng(0).random(width * height * 4, dtype=np.float32)
        self._size = (width, height)
        self._lock = threading.Lock()
        self._busy = 0

    def start(self) -> None:
        self._messages.put(SessionState("ready", wangp_version="bench"))

    def submit(self, request: JobRequest) -> str:
        job_id = f"bench-{time.perf_counter_ns()}"
        with self._lock:
            self._busy += 1
        self._messages.put(Queued(job_id, request.shot_key))
        script = self._previews if request.settings["bench"] == "previews" else self._burst
        threading.Thread(target=script, args=(job_id, request.settings), daemon=True).start()
        return job_id

    def _previews(self, job_id: str, settings: dict[str, Any]) -> None:
        width, height = self._size
        for _ in range(settings["count"]):
            time.sleep(settings["interval_s"])
            self._messages.put(Preview(job_id, repr(time.perf_counter()), width, height, self._pixels))
        self._end(job_id)

    def _burst(self, job_id: str, settings: dict[str, Any]) -> None:
        for step in range(settings["count"]):
            self._messages.put(Progress(job_id, repr(time.perf_counter()), "inference", percent=step % 100,
                                        current_step=step, total_steps=settings["count"]))
        self._end(job_id)

    def _end(self, job_id: str) -> None:
        self._messages.put(Log(job_id, "", "info", END))
        with self._lock:
            self._busy -= 1

    def cancel(self, job_id: str) -> None:
        """Scripts are short and always run to the end."""

    def cancel_all(self) -> None:
        """Scripts are short and always run to the end."""

    def refresh_models(self) -> None:
        self._messages.put(SessionState("ready", wangp_version="bench"))

    def close(self, timeout: float = 30.0) -> None:
        self._messages.put(SessionState("stopped", wangp_version="bench"))

    def drain(self, max_messages: int = 10_000) -> list[Message]:
        return drain_queue(self._messages, max_messages)

    def step(self, budget_s: float) -> None:
        """All work happens on the script threads."""

    @property
    def busy(self) -> bool:
        return self._busy > 0


def pump(host: Any, until: Callable[[Message], bool], on_message: Callable[[Message, float], None],
         timeout: float = 120.0) -> None:
    """Drain every millisecond until a message satisfies ``until``; ``on_message`` gets each with its arrival time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in host.drain():
            on_message(message, time.perf_counter())
            if until(message):
                return
        time.sleep(0.001)
    raise TimeoutError("the bench host did not finish")


def is_end(message: Message) -> bool:
    return isinstance(message, Log) and message.text == END


def started(host: Any) -> float:
    """Seconds from ``start()`` to the ``ready`` state."""
    begin = time.perf_counter()
    host.start()
    pump(host, lambda m: isinstance(m, SessionState) and m.state == "ready", lambda m, t: None)
    return time.perf_counter() - begin


def preview_latencies(host: Any, count: int, interval_s: float) -> list[float]:
    latencies: list[float] = []

    def note(message: Message, arrived: float) -> None:
        if isinstance(message, Preview):
            assert message.pixels.size == message.width * message.height * 4
            latencies.append(arrived - float(message.shot_key))

    host.submit(JobRequest("bench", {"bench": "previews", "count": count, "interval_s": interval_s}, "", "bench"))
    pump(host, is_end, note)
    return latencies


def throughput(host: Any, count: int) -> float:
    """Progress messages per second, from the first emitted to the last drained."""
    first: list[float] = []
    received = 0

    def note(message: Message, arrived: float) -> None:
        nonlocal received
        if isinstance(message, Progress):
            if not first:
                first.append(float(message.shot_key))
            received += 1

    host.submit(JobRequest("bench", {"bench": "burst", "count": count}, "", "bench"))
    end = 0.0

    def stop(message: Message) -> bool:
        nonlocal end
        end = time.perf_counter()
        return is_end(message)

    pump(host, stop, note)
    assert received == count, (received, count)
    return received / (end - first[0])


def measure(host: Any, previews: int, interval_s: float, burst: int) -> dict[str, float]:
    start_s = started(host)
    latencies = sorted(preview_latencies(host, previews, interval_s))
    rate = throughput(host, burst)
    host.close(5.0)
    return {
        "start_ms": start_s * 1000,
        "preview_median_ms": statistics.median(latencies) * 1000,
        "preview_p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "preview_max_ms": latencies[-1] * 1000,
        "messages_per_s": rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previews", type=int, default=60, help="previews per run (832x480 RGBA float32)")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between previews")
    parser.add_argument("--burst", type=int, default=20_000, help="Progress messages in the throughput run")
    parser.add_argument("--python", default=sys.executable, help="the child's interpreter")
    args = parser.parse_args()

    config = SessionConfig(wangp_root=os.path.abspath("."))
    factory = f"{os.path.abspath(__file__)}:BenchHost"
    results = {
        "in-process": measure(BenchHost(config), args.previews, args.interval, args.burst),
        "bridge": measure(BridgeHost(config, args.python, host_factory=factory),
                          args.previews, args.interval, args.burst),
    }
    rows = (
        ("start -> ready (ms)", "start_ms", "{:10.1f}"),
        ("preview latency median (ms)", "preview_median_ms", "{:10.2f}"),
        ("preview latency p95 (ms)", "preview_p95_ms", "{:10.2f}"),
        ("preview latency max (ms)", "preview_max_ms", "{:10.2f}"),
        ("messages/second (Progress)", "messages_per_s", "{:10.0f}"),
    )
    out = sys.stdout
    out.write(f"{args.previews} previews of 832x480 RGBA float32 every {args.interval * 1000:.0f} ms; "
              f"{args.burst} Progress messages back to back; parent drains every 1 ms\n")
    out.write(f"{'':30}{'in-process':>12}{'bridge':>12}\n")
    for label, key, fmt in rows:
        out.write(f"{label:30}{fmt.format(results['in-process'][key]):>12}{fmt.format(results['bridge'][key]):>12}\n")


if __name__ == "__main__":
    main()
