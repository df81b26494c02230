"""No ``bpy.ops`` on the pump path: an operator makes Blender update the whole view layer (and the
undo push writes the whole file), so its cost grows with the scene, not with the work.

Every operator call and poll in Python goes through ``bpy.ops``' module functions ``_op_call`` and
``_op_poll`` (also for an operator object fetched before the pump ran), so the tripwire replaces
those two and also watches attribute access on ``bpy.ops`` itself.
"""

from __future__ import annotations

import os
import time

import bpy
import bpy.ops as ops_module
import pytest
from strip_timing import left_handle


class Tripwire:
    """Records every operator access while armed; the calls still go through so Blender stays sane."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.armed = False
        self.seen: list[str] = []
        real_call, real_poll = vars(ops_module).get("_op_call"), vars(ops_module).get("_op_poll")

        def call(idname, *args):
            if self.armed:
                self.seen.append(f"call {idname}")
            return real_call(idname, *args)

        def poll(idname, *args):
            if self.armed:
                self.seen.append(f"poll {idname}")
            return real_poll(idname, *args)

        if "_op_create_function" in vars(ops_module):
            # Blender 5.1+: an operator is a C callable made by this function; its call and poll never reach
            # _op_call/_op_poll (which no longer exist: the module's __getattr__ answers any name).
            real_create = ops_module._op_create_function

            def create(module, func):
                return _Recorded(self, f"{module}.{func}", real_create(module, func))

            monkeypatch.setattr(ops_module, "_op_create_function", create)
        else:
            monkeypatch.setattr(ops_module, "_op_call", call)
            monkeypatch.setattr(ops_module, "_op_poll", poll)
        real_ops = bpy.ops
        wire = self

        class WatchedOps:
            def __getattr__(self, name):
                if wire.armed:
                    wire.seen.append(f"bpy.ops.{name}")
                return getattr(real_ops, name)

        monkeypatch.setattr(bpy, "ops", WatchedOps())

    def pump(self, md) -> float | None:
        self.armed = True
        try:
            return md.pump()
        finally:
            self.armed = False


class _Recorded:
    """An operator of Blender 5.1+ that tells the tripwire when it is called or polled while armed."""

    def __init__(self, wire: Tripwire, idname: str, op) -> None:
        self._wire, self._idname, self._op = wire, idname, op

    def _note(self, what: str) -> None:
        if self._wire.armed:
            self._wire.seen.append(f"{what} {self._idname}")

    def __call__(self, *args, **kwargs):
        self._note("call")
        return self._op(*args, **kwargs)

    def poll(self, *args):
        self._note("poll")
        return self._op.poll(*args)

    def __getattr__(self, name):
        return getattr(self._op, name)


@pytest.fixture
def tripwire(monkeypatch) -> Tripwire:
    return Tripwire(monkeypatch)


def test_the_tripwire_sees_operators(md, fresh_scene, tripwire):
    """The guard below cannot pass by being blind: an operator run while armed is recorded."""
    tripwire.armed = True
    try:
        bpy.ops.ed.undo_push.poll()
        op = ops_module.__getattr__("ed").undo_push  # an operator fetched without touching bpy.ops
        op.poll()
    finally:
        tripwire.armed = False
    assert tripwire.seen.count("poll ed.undo_push") == 2 and "bpy.ops.ed" in tripwire.seen


def test_takes_and_previews_land_without_operators(md, fake_wangp, output_dir, make_shot, tripwire, monkeypatch):
    fake_wangp(steps_cap=4, preview_every=1)
    scene = bpy.context.scene
    shots = [make_shot(f"SH{n}0", 1 + (n - 1) * 24, n * 24) for n in (1, 2, 3)]
    for obj in shots:
        obj.movie_director.model_type = "t2v_1.3B"  # 16 fps clips in a 24 fps scene: conformed on the host
        md.runtime.generate.queue_shot(bpy.context, scene, obj)
    # One more take is chosen while a render owns the data: it is placed by the pump afterwards.
    rendering = {"on": True}
    monkeypatch.setattr(md.compat, "render_running", lambda: rendering["on"])
    previews = 0
    deadline = time.monotonic() + 60
    while any(len(o.movie_director.takes) < 1 for o in shots) or md.runtime.timeline.waiting():
        assert time.monotonic() < deadline, "the takes did not arrive"
        if all(o.movie_director.takes for o in shots):
            rendering["on"] = False
        tripwire.pump(md)
        previews = max(previews, sum(o.movie_director.preview_image is not None for o in shots))
        time.sleep(0.005)
    while tripwire.pump(md) is not None:
        time.sleep(0.005)

    assert previews == 3, "every shot showed a preview"
    strips = [s for s in md.compat.strips(scene.sequence_editor) if s.type == "MOVIE"]
    assert sorted((left_handle(s), s.channel) for s in strips) == [(1, 2), (25, 2), (49, 2)]
    assert tripwire.seen == []


def test_layout_animatic_renders_and_lands_without_operators(md, output_dir, make_shot, tripwire, monkeypatch):
    """No WanGP configured: the animatic's frames, previews, mp4 and takes come from a background Blender,
    so the pump never renders or encodes (no ``render.render`` on Blender's main thread), and the copy of the
    .blend it renders is written at the click, never by the pump (its cost grows with the scene)."""
    scene = bpy.context.scene
    real_write = md.runtime.guide_copy.write_copy

    def write_copy(*args, **kwargs):
        if tripwire.armed:
            tripwire.seen.append("guide_copy.write_copy")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(md.runtime.guide_copy, "write_copy", write_copy)
    shots = [make_shot(f"SH{n}0", 1 + (n - 1) * 6, n * 6) for n in (1, 2)]
    for obj in shots:
        md.runtime.generate.queue_shot(bpy.context, scene, obj)
    previews = 0
    deadline = time.monotonic() + 120
    while any(not o.movie_director.takes for o in shots) or md.runtime.timeline.waiting():
        assert time.monotonic() < deadline, "the animatic takes did not arrive"
        assert not any(o.movie_director.generation_status == "failed" for o in shots), \
            [o.movie_director.error_message for o in shots]
        tripwire.pump(md)
        previews = max(previews, sum(o.movie_director.preview_image is not None for o in shots))
        time.sleep(0.005)
    while tripwire.pump(md) is not None:
        time.sleep(0.005)

    assert md.runtime.session.view().mode == "animatic"
    assert previews == 2, "every shot showed a preview"
    assert [o.movie_director.takes[0].model_type for o in shots] == ["layout_animatic"] * 2
    assert tripwire.seen == []


def test_a_continuation_batch_takes_the_last_frame_without_operators(md, fake_wangp, output_dir, make_shot,
                                                                     tripwire):
    """A continuation shot of a batch is queued from inside the pump when its previous shot's take lands: the
    take's last frame (its start image) is made by the background renderer, never by a render in this Blender."""
    fake_wangp(steps_cap=2)
    scene = bpy.context.scene
    first = make_shot("SH010", 1, 16, prompt="SH010 a cube on a table")
    first.movie_director.model_type = "t2v_1.3B"
    second = make_shot("SH020", 17, 32, prompt="SH020 the cube rolls away")
    second.movie_director.model_type = "i2v"
    second.movie_director.start_image_source = "PREVIOUS_SHOT"
    queued = md.runtime.generate.queue_scene(bpy.context, scene, "", False)
    assert queued.order and not queued.problems
    deadline = time.monotonic() + 90
    while not second.movie_director.takes or md.runtime.timeline.waiting():
        shot = second.movie_director
        assert time.monotonic() < deadline, f"no take: {shot.generation_status} {shot.error_message}"
        tripwire.pump(md)
        time.sleep(0.005)
    while tripwire.pump(md) is not None:
        time.sleep(0.005)

    start = md.wangp_backend.review.read_sidecar(second.movie_director.takes[0].sidecar_path)["inputs"]["start"]
    assert start["source"] == "PREVIOUS_SHOT" and start["shot"] == "SH010" and os.path.isfile(start["path"])
    assert tripwire.seen == []
