"""Model loads of a scheduled batch versus timeline order, and the cost of scheduling 500 shots.

Run: ``.venv-wangp/bin/python bench/bench_batch_schedule.py`` (any Python 3.11; no bpy, no WanGP).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wangp_backend.batch import BatchItem, model_loads, schedule  # noqa: E402

RUNS = 7


def scene(shots: int, models: int, continuity: float, seed: int = 1) -> list[BatchItem]:
    """Shots 50 frames apart on random models; ``continuity`` of them start from the previous shot."""
    rng = random.Random(seed)
    return [
        BatchItem(
            shot_key=f"shot{i:03d}",
            shot_name=f"SH{(i + 1) * 10:04d}",
            model_type=f"model_{rng.randrange(models)}",
            timeline_start=1 + 50 * i,
            depends_on=f"shot{i - 1:03d}" if i and rng.random() < continuity else "",
        )
        for i in range(shots)
    ]


def timed(items: list[BatchItem]) -> tuple[float, list[BatchItem]]:
    """Median wall time of :func:`schedule` over :data:`RUNS` runs, and its order."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        order = schedule(items)
        times.append(time.perf_counter() - start)
    return statistics.median(times), order


def main() -> None:
    twelve = [BatchItem(f"shot{i:02d}", f"SH{i:02d}", "ABC"[i % 3], i * 100) for i in range(12)]
    print(
        f"12 shots alternating 3 models: model loads scheduled {model_loads(schedule(twelve))}, "
        f"timeline order {model_loads(twelve)}"
    )
    for models, continuity in ((3, 0.0), (4, 0.3), (6, 0.3), (3, 0.6)):
        items = scene(500, models, continuity)
        seconds, order = timed(items)
        print(
            f"500 shots, {models} models, {continuity:.0%} continuity: schedule() {seconds * 1000:.1f} ms "
            f"(median of {RUNS}), model loads scheduled {model_loads(order)}, timeline order {model_loads(items)}"
        )


if __name__ == "__main__":
    main()
