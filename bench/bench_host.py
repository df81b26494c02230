"""The in-process session host's own costs: message throughput, preview conversion, and the gap between jobs.

Run: ``.venv-wangp/bin/python bench/bench_host.py`` (Python 3.11 with numpy and Pillow; no bpy).
The gap is measured against the WanGP test double (``tests/fake_wangp``) with tiny jobs: from the
moment the host sees one WanGP job's event stream close to the moment it calls ``submit_task`` for
the next queued job (the take is filed in between). Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from types import SimpleNamespace
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "tests", "backend"))  # the shared gap timer

from gap_timer import GapTimer  # noqa: E402
from PIL import Image  # noqa: E402

from wangp_backend.hosts.in_process import SessionHost  # noqa: E402
from wangp_backend.loader import Loaded, load_wangp  # noqa: E402
from wangp_backend.preview import to_rgba_bottom_up  # noqa: E402
from wangp_backend.requests import JobRequest, SessionConfig  # noqa: E402
from wangp_backend.translate import JobTranslator  # noqa: E402

FAKE_ROOT = os.path.join(REPO, "tests", "fake_wangp")
EVENTS = 200_000
PREVIEW_RUNS = 200
GAP_JOBS = 12
START_RUNS = 20


def message_throughput() -> float:
    """Messages per second from WanGP-shaped events through the translator, a SimpleQueue and a drain."""
    progress = SimpleNamespace(phase="inference", status="Prompt 1/1 | Denoising | 3.1s", progress=54,
                               current_step=4, total_steps=8)
    line = SimpleNamespace(stream="stdout", text="Loading Model 'ckpts/wan2.1_text2video_1.3B_bf16.safetensors' ...")
    events = [SimpleNamespace(kind="progress", data=progress), SimpleNamespace(kind="stream", data=line),
              SimpleNamespace(kind="status", data="Denoising")] * (EVENTS // 3)
    translator = JobTranslator("job", "SH010", deque(maxlen=200), clock=time.monotonic)
    messages: queue.SimpleQueue[Any] = queue.SimpleQueue()
    start = time.perf_counter()
    for event in events:
        for message in translator.handle(event):
            messages.put(message)
        translator.tick()
    drained = 0
    while True:
        try:
            messages.get_nowait()
        except queue.Empty:
            break
        drained += 1
    return drained / (time.perf_counter() - start)


def preview_ms(size: tuple[int, int], max_side: int = 832) -> float:
    """Median milliseconds to turn one PIL RGB preview into Blender's float RGBA pixels."""
    image = Image.effect_noise(size, 64).convert("RGB")
    times = []
    for _ in range(PREVIEW_RUNS):
        start = time.perf_counter()
        to_rgba_bottom_up(image, max_side)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def job_gaps(workdir: str) -> tuple[list[float], float]:
    """Seconds from a WanGP stream closing to the next submit, over :data:`GAP_JOBS` tiny queued jobs."""
    timer = GapTimer()
    host = SessionHost(SessionConfig(FAKE_ROOT, output_dir=os.path.join(workdir, "wangp_out")),
                       api_loader=timer.loader)
    settings = {"model_type": "t2v_1.3B", "prompt": "a red boat", "resolution": "64x64", "video_length": 5,
                "num_inference_steps": 1, "seed": 1}
    ids = {host.submit(JobRequest(f"SH{i:03d}", settings, os.path.join(workdir, "takes"), f"take{i:03d}"))
           for i in range(GAP_JOBS)}
    start = time.perf_counter()
    host.start()
    ended: set[str] = set()
    while ended != ids:
        for message in host.drain():
            if message.kind in ("take_ready", "failed", "cancelled"):
                if message.kind != "take_ready":
                    raise SystemExit(f"bench job did not make a take: {message}")
                ended.add(message.job_id)
        time.sleep(0.002)
    total = time.perf_counter() - start
    host.close(timeout=10)
    return timer.gaps(), total


def start_ms(workdir: str) -> list[float]:
    """Milliseconds ``start()`` takes on the caller's thread while WanGP is still loading (held on the host
    thread until ``start()`` has returned), over :data:`START_RUNS` hosts."""
    times: list[float] = []
    for _ in range(START_RUNS):
        gate = threading.Event()

        def held_loader(config: SessionConfig, gate: threading.Event = gate) -> Loaded:
            gate.wait(timeout=30)
            return load_wangp(config)

        host = SessionHost(SessionConfig(FAKE_ROOT, output_dir=os.path.join(workdir, "wangp_out")),
                           api_loader=held_loader)
        began = time.perf_counter()
        host.start()
        times.append((time.perf_counter() - began) * 1000)
        gate.set()
        host.close(timeout=10)
    return sorted(times)


def main() -> None:
    print(f"message throughput (translate + SimpleQueue + drain, {EVENTS} events): "
          f"{message_throughput() / 1000:.0f}k messages/s")
    print(f"preview conversion 832x480 (median of {PREVIEW_RUNS}): {preview_ms((832, 480)):.2f} ms")
    print(f"preview conversion 1664x960 capped to 832 (median of {PREVIEW_RUNS}): {preview_ms((1664, 960)):.2f} ms")
    with tempfile.TemporaryDirectory() as workdir:
        config = os.path.join(workdir, "fake_wangp.json")
        with open(config, "w", encoding="utf-8") as fh:
            json.dump({"init_delay_s": 0, "start_delay_s": 0, "load_delay_s": 0, "step_delay_s": 0, "steps_cap": 1},
                      fh)
        os.environ["FAKE_WANGP_CONFIG"] = config
        gaps, total = job_gaps(workdir)
        starts = start_ms(workdir)
    ms = sorted(gap * 1000 for gap in gaps)
    print(f"gap from stream end to next submit over {GAP_JOBS} tiny jobs (take filed in between): "
          f"median {statistics.median(ms):.2f} ms, max {ms[-1]:.2f} ms (target < 20 ms); "
          f"{total / GAP_JOBS * 1000:.0f} ms per job end to end")
    print(f"start() on the caller's thread while WanGP loads ({START_RUNS} hosts): median "
          f"{statistics.median(starts):.2f} ms, max {starts[-1]:.2f} ms (target < 250 ms)")


if __name__ == "__main__":
    main()
