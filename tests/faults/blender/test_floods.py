"""A flood of 100,000 events in one second: every pump() stays near its budget and the newest state wins.

The main thread gets at most one drain's worth of
messages per tick and applies them within ``pump.BUDGET_S``; a flood must spread over ticks, never stall
Blender for the time the whole flood takes.
"""

from __future__ import annotations

import statistics
import time

import numpy as np


class FloodHost:
    """A host whose queue holds the whole flood at once (the pump reads only these members)."""

    mode = "in_process"
    busy = True

    def __init__(self, flood: list) -> None:
        self._flood = flood

    def step(self, budget_s: float) -> None:
        """Nothing to do on the main thread."""

    def drain(self, max_messages: int = 10_000) -> list:
        taken, self._flood = self._flood[:max_messages], self._flood[max_messages:]
        return taken

    def close(self, timeout: float = 0.0) -> None:
        self.busy = False

    def cancel_all(self) -> None:
        self.busy = False


def test_a_flood_of_events_keeps_the_pump_within_its_budget(md, fresh_scene, output_dir, make_shot, scenario):
    obj = make_shot("SH010", 1, 16)
    m, jobs, keys = md.wangp_backend.messages, md.runtime.jobs, md.runtime.keys
    key = keys.shot_key(fresh_scene, obj)
    record = jobs.JobRecord(
        job_id="flood", token="tok", shot_key=key, scene_key=keys.scene_key(fresh_scene), file_token=jobs.file_token(),
        shot_name=obj.name, take_dir=output_dir, take_name="SH010_take001",
        request=md.wangp_backend.requests.JobRequest(shot_key=key, settings={}, take_dir=output_dir,
                                                     take_name="SH010_take001"),
        kind="shot",
    )
    jobs.add_submitted(record)
    jobs.mark_started(record.job_id)
    sizes = [(1, 1), (512, 512), (1, 512), (512, 1)]
    flood: list = []
    for n in range(100_000):
        kind = n % 10
        if kind < 7:
            flood.append(m.Progress(job_id="flood", shot_key=key, phase="Denoising", percent=n * 100 // 100_000,
                                    current_step=n, total_steps=100_000))
        elif kind < 9:
            flood.append(m.Log(job_id="flood", shot_key=key, source="stream", text=f"line {n}"))
        elif n % 1000 == 9:
            w, h = sizes[(n // 1000) % len(sizes)]
            flood.append(m.Preview(job_id="flood", shot_key=key, width=w, height=h,
                                   pixels=np.full(w * h * 4, 0.5, dtype=np.float32)))
    flood.append(m.Progress(job_id="flood", shot_key=key, phase="Denoising", percent=99, current_step=100_000,
                            total_steps=100_000))
    times: list[float] = []
    try:
        md.runtime.session._host = FloodHost(flood)
        deadline = time.monotonic() + 120
        while md.runtime.pump._backlog or md.runtime.session._host._flood or not times:
            start = time.perf_counter()
            md.pump()
            times.append(time.perf_counter() - start)
            assert time.monotonic() < deadline, "the flood was never applied"
    finally:
        md.runtime.session._host = None
        jobs.clear()
        md.runtime.pump.forget()
    shot = obj.movie_director
    assert shot.generation_progress == 99 and shot.generation_step == 100_000  # the newest state won
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    budget = md.runtime.pump.BUDGET_S
    # Generous: the budget plus one message's worst cost (a preview upload, the log flush); an unbudgeted
    # pump would take the whole flood's time (seconds) in one call.
    assert times[-1] < budget + 0.25, f"the longest pump() took {times[-1] * 1000:.1f} ms"
    scenario("event flood", injected=f"{len(flood)} events at once (progress, log lines, 1x1 to 512x512 previews)",
             user_saw=f"the newest progress ({shot.generation_progress}%, step {shot.generation_step})",
             survived=f"{len(times)} pump() calls: median {statistics.median(times) * 1000:.2f} ms, "
             f"p99 {p99 * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms (budget {budget * 1000:.0f} ms)",
             faults=1)
