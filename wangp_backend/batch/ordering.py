"""Order a scene batch so that each WanGP model loads as few times as possible.

Loading a model moves gigabytes of weights into memory (seconds to minutes), while going from one
shot to the next on the same model is free, so a batch runs its shots grouped by model. A
dependency (a shot starts from the previous shot's last frame) can force a model to load again;
the order then has the fewest loads that respect every dependency.

Once a model is loaded, running every shot of it that is ready (its dependency done), and the
shots of the same model those unlock, never costs a load: moving such a shot earlier cannot add a
load. So a plan is a sequence of model loads, and the search is breadth-first over "which shots
are done" after 1, 2, 3... loads; the first level that finishes the batch is the fewest loads. A
level with more states than the search can afford keeps those closest to the end (a lower bound on
the loads still needed, then the most shots done), which makes huge tangled batches near-optimal
instead of exact. States are expanded in timeline order, so among equally short plans the one that
loads models in the order of their first ready shot wins: without dependencies the models simply
run in the order of their first shot on the timeline, the loaded model first.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence

from ..logs import get_logger
from .item import BatchItem

log = get_logger("batch")

#: Shots the search may examine per level (states kept x models x shots); a level with more
#: states is trimmed to the most promising ones. Keeps schedule() near 0.1 s for 500 shots.
SEARCH_WORK = 200_000


def model_loads(order: Sequence[BatchItem], current_model: str = "") -> int:
    """Count the model loads that running ``order`` costs when ``current_model`` is loaded now."""
    loads = 0
    loaded = current_model
    for item in order:
        if item.model_type != loaded:
            loads += 1
            loaded = item.model_type
    return loads


def schedule(items: Sequence[BatchItem], current_model: str = "", notes: list[str] | None = None) -> list[BatchItem]:
    """Return ``items`` in the order to generate them: fewest model loads, no dependency broken.

    A dependency on a shot outside the batch is already satisfied (that shot was skipped). A
    dependency cycle cannot be honoured: it is broken at the shot that comes first on the timeline
    (that shot runs without waiting), and a line saying so is logged and appended to ``notes``.

    :raises ValueError: if two items share a ``shot_key``.
    """
    if not items:
        return []
    return _Plan(items, notes).order(current_model)


class _Plan:
    """The batch as a dependency forest over shots indexed in timeline order.

    A state is a ``bytes`` of done flags, one per shot plus a last, always-set flag standing for
    "no dependency", so a shot is ready when ``not done[i] and done[parent[i]]``.
    """

    def __init__(self, items: Sequence[BatchItem], notes: list[str] | None) -> None:
        repeated = sorted(key for key, count in Counter(item.shot_key for item in items).items() if count > 1)
        if repeated:
            raise ValueError(f"Shot keys repeated in the batch: {', '.join(repeated)}")
        self.items = sorted(items, key=lambda item: (item.timeline_start, item.shot_key))
        n = len(self.items)
        index = {item.shot_key: i for i, item in enumerate(self.items)}
        self.model_ids: dict[str, int] = {}
        self.model = [self.model_ids.setdefault(item.model_type, len(self.model_ids)) for item in self.items]
        self.parent = [index.get(item.depends_on, n) if item.depends_on else n for item in self.items]
        self._break_cycles(notes)
        self.children: list[list[int]] = [[] for _ in range(n)]
        for i, p in enumerate(self.parent):
            if p < n:
                self.children[p].append(i)
        self.need = self._loads_below()
        self.start = bytes(n) + b"\x01"
        self.full = b"\x01" * (n + 1)

    def _break_cycles(self, notes: list[str] | None) -> None:
        n = len(self.items)
        state = [0] * n  # 0 unseen, 1 on the current walk, 2 settled
        for start in range(n):
            walk: list[int] = []
            i = start
            while i < n and state[i] == 0:
                state[i] = 1
                walk.append(i)
                i = self.parent[i]
            if i < n and state[i] == 1:
                cycle = walk[walk.index(i) :]
                first = min(cycle)  # the earliest on the timeline
                at = cycle.index(first)
                names = [self.items[j].shot_name for j in cycle[at:] + cycle[:at]]
                waited_for = self.items[self.parent[first]].shot_name
                self.parent[first] = n
                note = (
                    f"Dependency cycle {' -> '.join(names)} -> {names[0]}: {names[0]} comes first on the "
                    f"timeline, so it runs without waiting for {waited_for}"
                )
                log.warning(note)
                if notes is not None:
                    notes.append(note)
            for j in walk:
                state[j] = 2

    def _loads_below(self) -> list[tuple[int, ...]]:
        """Per shot, per model: the loads of that model the worst chain from the shot down needs.

        Along a dependency chain every return to a model is a load of its own, so no plan loads a
        model fewer times than any remaining chain demands; summed over models, that bounds the
        loads still needed. It depends only on the shot's subtree, so it is computed once.
        """
        n, k = len(self.items), len(self.model_ids)
        order = [i for i in range(n) if self.parent[i] == n]
        for i in order:  # grows while iterating: parents before children
            order.extend(self.children[i])
        need: list[tuple[int, ...]] = [()] * n
        for i in reversed(order):
            own = self.model[i]
            best = [0] * k
            best[own] = 1
            for child in self.children[i]:
                below = list(need[child])
                if self.model[child] != own:
                    below[own] += 1  # another model runs between this shot and its model's next run
                best = [max(pair) for pair in zip(best, below, strict=True)]
            need[i] = tuple(best)
        return need

    def order(self, current_model: str) -> list[BatchItem]:
        done = self.start
        ready = [i for i in range(len(self.items)) if self.parent[i] == len(self.items)]
        out: list[int] = []
        loaded = self.model_ids.get(current_model)
        if loaded is not None and any(self.model[i] == loaded for i in ready):
            # The loaded model's ready shots cost nothing: run them first.
            done, ready = self._run(done, ready, loaded, out)
        for state, state_ready, model in self._search(done, ready):
            self._run(state, state_ready, model, out)
        return [self.items[i] for i in out]

    def _search(self, start: bytes, start_ready: list[int]) -> list[tuple[bytes, list[int], int]]:
        """The loads of the best plan from ``start``: (state before the load, its ready shots, model)."""
        width = max(16, SEARCH_WORK // (len(self.items) * len(self.model_ids)))
        came_from: dict[bytes, tuple[bytes, list[int], int] | None] = {start: None}
        level = {start: start_ready}
        while self.full not in came_from:
            reached: dict[bytes, tuple[bytes, list[int], int]] = {}
            after_ready: dict[bytes, list[int]] = {}
            for state, ready in level.items():
                for model in self._choices(ready):
                    after, unlocked = self._run(state, ready, model, [])
                    if after not in came_from and after not in reached:
                        reached[after] = (state, ready, model)
                        after_ready[after] = unlocked
            states = list(reached)
            if len(states) > width:
                rank = {s: (self._bound(after_ready[s]), -sum(s), at) for at, s in enumerate(states)}
                states = sorted(sorted(states, key=rank.__getitem__)[:width], key=lambda s: rank[s][2])
                log.debug("Batch search trimmed a level of %d states to %d", len(reached), width)
            level = {s: after_ready[s] for s in states}
            came_from.update((s, reached[s]) for s in states)
        plan: list[tuple[bytes, list[int], int]] = []
        step = came_from[self.full]
        while step is not None:
            plan.append(step)
            step = came_from[step[0]]
        return plan[::-1]

    def _choices(self, ready: list[int]) -> list[int]:
        """The models worth loading next, in the order of their first ready shot (the tie-break).

        A model whose remaining shots all become runnable now ("complete") is an optimal next load:
        any plan that loads it later can load it now instead, dropping all its later loads. So
        models after the first complete one can only tie, and lose the tie; without dependencies
        every model is complete and the search goes straight down the timeline.
        """
        models = list(dict.fromkeys(self.model[i] for i in ready))
        for at, model in enumerate(models):
            if all(self.need[i][model] <= (self.model[i] == model) for i in ready):
                return models[: at + 1]
        return models

    def _run(self, done: bytes, ready: list[int], model: int, out: list[int]) -> tuple[bytes, list[int]]:
        """Run ``model``'s ready shots and those they unlock, in timeline order.

        :return: the new state and its ready shots (sorted).
        """
        flags = bytearray(done)
        heap = [i for i in ready if self.model[i] == model]
        still_ready = [i for i in ready if self.model[i] != model]
        while heap:
            i = heapq.heappop(heap)
            flags[i] = 1
            out.append(i)
            for child in self.children[i]:
                if self.model[child] == model:
                    heapq.heappush(heap, child)
                else:
                    still_ready.append(child)
        return bytes(flags), sorted(still_ready)

    def _bound(self, ready: list[int]) -> int:
        """A lower bound on the loads still needed once ``ready`` are the ready shots.

        Every remaining shot is below a ready one, so :meth:`_loads_below` of the ready shots covers
        every remaining chain.
        """
        return sum(map(max, zip(*(self.need[i] for i in ready), strict=True))) if ready else 0
