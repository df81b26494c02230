"""The batch order: fewest model loads, timeline order inside a model, dependencies never broken."""

from __future__ import annotations

import random
import string

import pytest

from wangp_backend.batch import BatchItem, model_loads, schedule


def shot(key: str, model: str, start: int, depends_on: str = "") -> BatchItem:
    return BatchItem(key, key.upper(), model, start, f"hash-{key}", depends_on)


def keys(order: list[BatchItem]) -> list[str]:
    return [item.shot_key for item in order]


def respects_dependencies(order: list[BatchItem]) -> bool:
    position = {item.shot_key: at for at, item in enumerate(order)}
    return all(position[item.depends_on] < at for at, item in enumerate(order) if item.depends_on in position)


def alternating_scene(shots: int = 12, models: str = "ABC") -> list[BatchItem]:
    return [shot(f"sh{i:02d}", models[i % len(models)], i * 100) for i in range(shots)]


def test_twelve_shots_alternating_three_models_load_each_model_once():
    scene = alternating_scene()
    order = schedule(scene)
    assert model_loads(scene) == 12
    assert model_loads(order) == 3
    assert keys(order) == [f"sh{i:02d}" for m in range(3) for i in range(m, 12, 3)]


def test_input_order_does_not_matter_timeline_does():
    scene = alternating_scene()
    assert schedule(list(reversed(scene))) == schedule(scene)


def test_loaded_model_goes_first_and_costs_nothing():
    scene = alternating_scene()
    order = schedule(scene, current_model="C")
    assert [item.model_type for item in order] == list("CCCCAAAABBBB")
    assert model_loads(order, current_model="C") == 2


def test_batch_on_the_loaded_model_alone_loads_nothing():
    scene = [shot("a2", "A", 100, depends_on="a1"), shot("a1", "A", 0), shot("a3", "A", 50)]
    order = schedule(scene, current_model="A")
    assert keys(order) == ["a1", "a3", "a2"]
    assert model_loads(order, current_model="A") == 0


def test_loaded_model_outside_the_batch_changes_nothing():
    scene = alternating_scene()
    assert schedule(scene, current_model="Z") == schedule(scene)
    assert model_loads(schedule(scene), current_model="Z") == 3


def test_chain_across_models_needs_no_extra_load():
    scene = [
        shot("a1", "A", 0),
        shot("b2", "B", 100, depends_on="a1"),
        shot("c3", "C", 200, depends_on="b2"),
        shot("a4", "A", 300),
        shot("b5", "B", 400),
        shot("c6", "C", 500),
    ]
    order = schedule(scene)
    assert keys(order) == ["a1", "a4", "b2", "b5", "c3", "c6"]
    assert model_loads(order) == 3


def test_dependency_forcing_a_second_load_of_a_model():
    scene = [
        shot("a1", "A", 0),
        shot("b2", "B", 100, depends_on="a1"),
        shot("a3", "A", 200, depends_on="b2"),
        shot("a4", "A", 300),
    ]
    order = schedule(scene)
    assert keys(order) == ["a1", "a4", "b2", "a3"]
    assert model_loads(order) == 3


def test_fewest_loads_beats_earliest_model_first():
    # Loading B first (it has the earliest shot) would cost B, A, C, B = 4 loads; B's shot can
    # wait for the chain's B shot instead.
    scene = [
        shot("b0", "B", 0),
        shot("a1", "A", 100),
        shot("c2", "C", 200, depends_on="a1"),
        shot("b3", "B", 300, depends_on="c2"),
    ]
    order = schedule(scene)
    assert keys(order) == ["a1", "c2", "b0", "b3"]
    assert model_loads(order) == 3


def test_loaded_model_runs_its_ready_shots_but_waits_for_dependencies():
    scene = [
        shot("a1", "A", 0),
        shot("b2", "B", 100, depends_on="a1"),
        shot("b3", "B", 200),
    ]
    order = schedule(scene, current_model="B")
    assert keys(order) == ["b3", "a1", "b2"]
    assert model_loads(order, current_model="B") == 2


def test_dependency_on_a_shot_outside_the_batch_is_already_met():
    scene = [shot("a1", "A", 0), shot("b2", "B", 100, depends_on="skipped"), shot("a3", "A", 200)]
    assert keys(schedule(scene)) == ["a1", "a3", "b2"]


def test_cycle_is_broken_by_timeline_order_with_a_note():
    scene = [
        shot("b2", "B", 100, depends_on="a1"),
        shot("a1", "A", 0, depends_on="b2"),
        shot("c3", "C", 200, depends_on="b2"),
    ]
    notes: list[str] = []
    order = schedule(scene, notes=notes)
    assert keys(order) == ["a1", "b2", "c3"]
    assert len(notes) == 1
    assert "A1 -> B2 -> A1" in notes[0]
    assert "A1 comes first on the timeline, so it runs without waiting for B2" in notes[0]


def test_longer_cycle_and_self_dependency_each_get_a_note():
    scene = [
        shot("x", "A", 0, depends_on="z"),
        shot("y", "B", 100, depends_on="x"),
        shot("z", "A", 200, depends_on="y"),
        shot("solo", "C", 300, depends_on="solo"),
    ]
    notes: list[str] = []
    order = schedule(scene, notes=notes)
    assert keys(order) == ["x", "y", "z", "solo"]
    assert sorted(notes) == [
        "Dependency cycle SOLO -> SOLO: SOLO comes first on the timeline, so it runs without waiting for SOLO",
        "Dependency cycle X -> Z -> Y -> X: X comes first on the timeline, so it runs without waiting for Z",
    ]


def test_repeated_shot_key_is_refused():
    with pytest.raises(ValueError, match="sh1"):
        schedule([shot("sh1", "A", 0), shot("sh1", "B", 100)])


def test_empty_batch():
    assert schedule([]) == []
    assert model_loads([]) == 0


def test_model_loads_counts_switches():
    order = [shot("a", "A", 0), shot("b", "A", 1), shot("c", "B", 2), shot("d", "A", 3)]
    assert model_loads(order) == 3
    assert model_loads(order, current_model="A") == 2
    assert model_loads(order, current_model="B") == 3


def fewest_loads(items: list[BatchItem], current_model: str) -> int:
    """Independent reference: dynamic programming over (shots done, loaded model), one shot at a time."""
    index = {item.shot_key: i for i, item in enumerate(items)}
    full = (1 << len(items)) - 1
    best = {(0, current_model): 0}
    frontier = [(0, current_model)]
    for _ in items:
        following: dict[tuple[int, str], int] = {}
        for mask, loaded in frontier:
            for i, item in enumerate(items):
                parent = index.get(item.depends_on, -1)
                if mask >> i & 1 or (parent >= 0 and not mask >> parent & 1):
                    continue
                state = (mask | 1 << i, item.model_type)
                cost = best[(mask, loaded)] + (item.model_type != loaded)
                if cost < following.get(state, len(items) + 1):
                    following[state] = cost
        best.update(following)
        frontier = list(following)
    return min(cost for (mask, _), cost in best.items() if mask == full)


def random_acyclic_scene(rng: random.Random, shots: int, models: str, dependency_rate: float) -> list[BatchItem]:
    """Shots on a shuffled timeline; each may depend on any shot earlier in a hidden order (no cycles)."""
    hidden = [f"s{i}" for i in range(shots)]
    starts = rng.sample(range(shots * 10), shots)
    return [
        shot(key, rng.choice(models), starts[i], rng.choice(hidden[:i]) if i and rng.random() < dependency_rate else "")
        for i, key in enumerate(hidden)
    ]


def test_random_small_batches_get_the_fewest_loads():
    rng = random.Random(20261121)
    for _ in range(200):
        scene = random_acyclic_scene(rng, rng.randint(1, 8), "ABC", 0.5)
        current = rng.choice(["", "A", "B"])
        order = schedule(scene, current_model=current)
        assert sorted(keys(order)) == sorted(keys(scene))
        assert respects_dependencies(order)
        assert model_loads(order, current) == fewest_loads(scene, current)


def test_large_tangled_batch_keeps_every_dependency():
    rng = random.Random(7)
    scene = random_acyclic_scene(rng, 400, string.ascii_uppercase[:6], 0.4)
    order = schedule(scene)
    assert sorted(keys(order)) == sorted(keys(scene))
    assert respects_dependencies(order)
    assert model_loads(order) < model_loads(sorted(scene, key=lambda item: item.timeline_start)) / 4
