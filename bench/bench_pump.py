"""Main-thread cost of one ``pump()`` with 500 shots in the scene and a flood of host messages.

A stand-in host's ``drain()`` returns, every call, a progress message for each of 500 jobs, a burst of
log lines and one 832x480 preview: the pump coalesces, applies within its budget and uploads the preview.
Run: ``.venv-bpy/bin/python bench/bench_pump.py``. Prints figures; asserts nothing on time.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from _blender import add_shots, bpy, md, open_empty, stop

SHOTS = 500
CALLS = 300
PREVIEW_W, PREVIEW_H = 832, 480


class FloodHost:
    """A host whose every ``drain()`` is the prepared flood (the runtime reads only these members)."""

    mode = "in_process"
    busy = True

    def __init__(self, flood_for_call) -> None:
        self._flood_for_call = flood_for_call
        self.calls = 0

    def step(self, budget_s: float) -> None:
        """Nothing to do on the main thread: the messages are prepared."""

    def drain(self, max_messages: int = 10_000) -> list:
        self.calls += 1
        return self._flood_for_call(self.calls)

    def close(self, timeout: float = 0.0) -> None:
        self.busy = False

    def cancel_all(self) -> None:
        self.busy = False


def main() -> None:
    scene = open_empty()
    shots = add_shots(scene, SHOTS)
    m = md.wangp_backend.messages
    jobs = md.runtime.jobs
    keys = md.runtime.keys
    records = []
    for i, obj in enumerate(shots):
        record = jobs.JobRecord(
            job_id=f"job{i}", token=f"tok{i}", shot_key=keys.shot_key(scene, obj), scene_key=keys.scene_key(scene),
            file_token=jobs.file_token(), shot_name=obj.name, take_dir="/tmp", take_name=f"t{i}",
            request=md.wangp_backend.requests.JobRequest(shot_key=keys.shot_key(scene, obj), settings={},
                                                         take_dir="/tmp", take_name=f"t{i}"),
            kind="batch",
        )
        jobs.add_submitted(record)
        jobs.mark_started(record.job_id)
        records.append(record)
    pixels = np.random.default_rng(1).random(PREVIEW_W * PREVIEW_H * 4, dtype=np.float32)

    def flood(call: int) -> list:
        out = [
            m.Progress(job_id=r.job_id, shot_key=r.shot_key, phase="inference", percent=call % 100,
                       current_step=call % 30, total_steps=30)
            for r in records
        ]
        out += [m.Log(job_id=records[0].job_id, shot_key=records[0].shot_key, source="stream", text=f"line {call}")]
        active = records[call % SHOTS]
        out.append(m.Preview(job_id=active.job_id, shot_key=active.shot_key, width=PREVIEW_W, height=PREVIEW_H,
                             pixels=pixels))
        return out

    def one_job(call: int) -> list:
        """What WanGP really sends: one running job, a burst of progress and stream lines, one preview."""
        r = records[0]
        out: list = [
            m.Progress(job_id=r.job_id, shot_key=r.shot_key, phase="inference", percent=n % 100, current_step=n,
                       total_steps=200)
            for n in range(200)
        ]
        out += [m.Log(job_id=r.job_id, shot_key=r.shot_key, source="stream", text=f"{call}.{n}") for n in range(5)]
        out.append(m.Preview(job_id=r.job_id, shot_key=r.shot_key, width=PREVIEW_W, height=PREVIEW_H, pixels=pixels))
        return out

    try:
        for label, make in (("every job at once: 500 progress, 1 log, 1 preview (new shot each call)", flood),
                            ("one running job: 200 progress, 5 log lines, 1 preview", one_job)):
            md.runtime.session._host = FloodHost(make)  # the pump reads the session's host: the flood goes in
            for _ in range(5):  # warm-up: preview images created, caches filled
                md.pump()
            times = []
            for _ in range(CALLS):
                start = time.perf_counter()
                md.pump()
                times.append(time.perf_counter() - start)
            md.runtime.pump.forget()
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"pump() with {SHOTS} shots in the scene, {PREVIEW_W}x{PREVIEW_H} previews, {CALLS} calls; {label}:")
            print(f"  median {statistics.median(times) * 1000:.2f} ms   p99 {p99 * 1000:.2f} ms   "
                  f"max {times[-1] * 1000:.2f} ms   (targets: 2 ms median, 8 ms p99)")
    finally:
        md.runtime.session._host = None
        jobs.clear()
        md.runtime.pump.forget()
        stop()
    print(f"  shots' progress after the run: {shots[0].movie_director.generation_progress}% "
          f"(preview images: {sum(1 for i in bpy.data.images if i.name.startswith('MD Preview'))})")


if __name__ == "__main__":
    main()
