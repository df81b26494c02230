"""Main-thread cost against scene size: the same work in a scene with 0, 2,000 and 10,000 extra objects.

The extra objects are a layout set: small meshes with a Subdivision modifier, evaluated once (as the
first redraw of a real Blender would). The scene holds 500 shots. Per size it prints:
- ``pump()`` median, p99 and max over a 500-shot Generate Scene batch until its first three 832x480
  takes have landed (the WanGP test double, in-process or ``MD_BENCH_HOST_MODE=BRIDGE``; LTX-2 takes,
  with sound), in an edit that already holds two strips for every other shot (1,000 strips),
  and the slowest tick in which a take arrived or a landing step ran, a preview arrived, and jobs were
  handed to the host (batch submit);
- main-thread time of a Mark Shot click (through ``bpy.ops``, with its undo push; without the
  view-layer updates that only a Python call adds), a Generate click and the Generate Scene click (what
  their ``invoke()`` does, the session already running), one shot's snapshot, ``load_post`` on the
  saved 500-shot file, and one draw of every sidebar panel (and one that makes the panels' shot scan again).
Each figure is printed twice: on the wall clock, and as the main thread's own CPU time (``thread_time``;
on a shared machine the wall clock also counts the time the thread waited for a core, on an idle one
the two agree within the I/O waits).
Run: ``.venv-bpy/bin/python bench/bench_scene_size.py [sizes...]``. Prints figures; asserts nothing.
Targets: pump median < 1 ms and max < 16 ms at every size; clicks < 0.5 s at 10,000 objects.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable
from typing import NamedTuple

from _blender import add_shots, bpy, md, open_empty, stop, use_fake_wangp, wait_ready

SIZES = (0, 2000, 10000)
SHOTS = 500
TAKES = 3
#: LTX-2: its takes come with sound, one more file to open per landing.
MODEL = "ltx2_22B_distilled"


def add_set(scene: bpy.types.Scene, count: int) -> None:
    """``count`` small subdivided meshes (own mesh data each, like props of a layout set), evaluated once."""
    collection = bpy.data.collections.new("Set")
    scene.collection.children.link(collection)
    verts = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]
    faces = [(0, 1, 2, 3), (4, 7, 6, 5), (0, 4, 5, 1), (1, 5, 6, 2), (2, 6, 7, 3), (3, 7, 4, 0)]
    for i in range(count):
        mesh = bpy.data.meshes.new(f"Prop{i}")
        mesh.from_pydata(verts, [], faces)
        obj = bpy.data.objects.new(f"Prop{i}", mesh)
        obj.location = (i % 100 * 2.0, i // 100 * 2.0, 0.0)
        obj.modifiers.new("Subdivision", "SUBSURF").levels = 1
        collection.objects.link(obj)
    bpy.context.view_layer.update()


def add_edit(scene: bpy.types.Scene, shots: list) -> None:
    """Two strips per shot (picture and sound stand-ins, tagged like takes) for all but the first TAKES shots:
    the edit a batch leaves behind, which every landing has to find its place in."""
    editor = scene.sequence_editor_create()
    for obj in shots[TAKES:]:
        shot = obj.movie_director
        for channel in (2, 3):
            strip = md.compat.new_effect(editor, f"{obj.name} {channel}", "COLOR", channel, shot.frame_start,
                                         shot.frame_end + 1)
            strip["md_shot_key"] = md.runtime.keys.shot_key(scene, obj)


class Figure(NamedTuple):
    """Seconds on the wall clock, and of the main thread's own CPU time (what the work costs whatever else runs:
    on a shared machine the wall clock also counts the time the thread waited for a core)."""

    wall: float
    cpu: float


def clocks() -> Figure:
    return Figure(time.perf_counter(), time.thread_time())


def since(start: Figure) -> Figure:
    return Figure(time.perf_counter() - start.wall, time.thread_time() - start.cpu)


def timed(fn: Callable[[], object], repeat: int = 1) -> Figure:
    """Median seconds of ``fn`` over ``repeat`` runs, on both clocks."""
    times = []
    for _ in range(repeat):
        start = clocks()
        fn()
        times.append(since(start))
    return Figure(statistics.median(t.wall for t in times), statistics.median(t.cpu for t in times))


class NullLayout:
    """A ``UILayout`` stand-in that accepts everything: what is timed is the panels' own Python."""

    def __getattr__(self, name: str):
        return self._call

    def __setattr__(self, name: str, value) -> None:
        pass

    def _call(self, *args, **kwargs):
        return self


def draw_panels() -> None:
    context = bpy.context
    for cls in md.panels.classes:
        if not isinstance(cls, type) or not issubclass(cls, bpy.types.Panel):
            continue
        if hasattr(cls, "poll") and not cls.poll(context):
            continue
        holder = types.SimpleNamespace(layout=NullLayout())
        if hasattr(cls, "draw_header"):
            cls.draw_header(holder, context)
        cls.draw(holder, context)


def quiet() -> None:
    """Cancel whatever is queued (as the Cancel button does) and pump until the host is idle."""
    md.runtime.batches.cancel_all_waiting()
    md.runtime.submit.cancel_all("benchmark step over")
    host = md.runtime.session.get_host()
    if host is not None:
        host.cancel_all()
    deadline = time.monotonic() + 60
    while md.pump() is not None and time.monotonic() < deadline:
        time.sleep(0.005)


def landed(scene: bpy.types.Scene, obj: bpy.types.Object) -> bool:
    """Whether the shot's active take is on the timeline."""
    shot = obj.movie_director
    strip = md.runtime.timeline.shot_strip(scene, md.runtime.keys.shot_key(scene, obj)) if shot.takes else None
    return strip is not None and strip.get("md_take") == shot.active_take_index


def pump_run(scene: bpy.types.Scene, shots: list) -> dict[str, float]:
    """Click Generate Scene, then time every pump() until the first TAKES shots (832x480) have landed.

    The run holds everything the pump does in a batch: submitting the other shots' jobs, saving the
    batch record, progress, previews and the takes landing on the timeline.
    """
    arrived = {"previews": 0, "steps": 0}
    real_show, real_flush = md.runtime.preview.show, md.runtime.timeline.flush

    def counting_show(*args, **kwargs):
        arrived["previews"] += 1
        return real_show(*args, **kwargs)

    def counting_flush(*args, **kwargs):
        done = real_flush(*args, **kwargs)
        arrived["steps"] += bool(done)
        return done

    for obj in shots[:TAKES]:
        obj.movie_director.resolution = "832x480"
    md.runtime.preview.show = counting_show
    md.runtime.timeline.flush = counting_flush
    times, take_ticks, preview_ticks, submit_ticks = [], [], [], []
    try:
        click = timed(lambda: md.runtime.generate.queue_scene(bpy.context, scene, "", False))
        deadline = time.monotonic() + 180
        while not all(landed(scene, o) for o in shots[:TAKES]):
            if time.monotonic() > deadline:
                state = [(o.name, len(o.movie_director.takes), o.movie_director.generation_status)
                         for o in shots[:TAKES]]
                raise RuntimeError(f"takes did not land (shot, takes, status): {state}")
            takes = sum(len(o.movie_director.takes) for o in shots[:TAKES])
            previews, steps, pending = arrived["previews"], arrived["steps"], len(md.runtime.jobs.pending())
            start = clocks()
            md.pump()
            elapsed = since(start)
            times.append(elapsed)
            if sum(len(o.movie_director.takes) for o in shots[:TAKES]) > takes or arrived["steps"] > steps:
                take_ticks.append(elapsed)
            if arrived["previews"] > previews:
                preview_ticks.append(elapsed)
            if len(md.runtime.jobs.pending()) < pending:
                submit_ticks.append(elapsed)
            time.sleep(0.005)
    finally:
        md.runtime.preview.show = real_show
        md.runtime.timeline.flush = real_flush
    def stats(clock: int) -> dict[str, float]:
        values = sorted(t[clock] for t in times)
        return {"median": statistics.median(values), "p99": values[min(len(values) - 1, int(len(values) * 0.99))],
                "max": values[-1], "take": max((t[clock] for t in take_ticks), default=0.0),
                "preview": max((t[clock] for t in preview_ticks), default=0.0),
                "submit": max((t[clock] for t in submit_ticks), default=0.0)}

    wall, cpu = stats(0), stats(1)
    found: dict[str, object] = {key: Figure(wall[key], cpu[key]) for key in wall}
    found.update(scene=click, ticks=len(times), previews=len(preview_ticks), landing=len(take_ticks))
    return found


def one_size(count: int) -> dict[str, object]:
    scene = open_empty()
    shots = add_shots(scene, SHOTS, models=(MODEL,))
    add_edit(scene, shots)
    add_set(scene, count)
    wait_ready()
    row: dict[str, object] = {}

    camera = bpy.data.objects.new("Extra", bpy.data.cameras.new("Extra"))
    scene.collection.objects.link(camera)
    bpy.context.view_layer.objects.active = camera
    row["mark"] = timed(lambda: bpy.ops.movie_director.mark_shot())  # ops' view-layer updates are off, see main()
    camera.movie_director.prompt = "extra: a cube on a table"
    camera.movie_director.resolution = "128x96"
    camera.movie_director.model_type = MODEL
    # A click runs invoke(), which queues and returns; headless bpy runs execute() (which waits) even for
    # INVOKE_DEFAULT, so what invoke() does is timed: the shot-id check and the queueing (Generate Scene:
    # queue_scene, in pump_run).
    row["generate"] = timed(lambda: (md.runtime.keys.ensure_unique_shot_ids(scene),
                                     md.runtime.generate.queue_shot(bpy.context, scene, shots[0])))
    quiet()

    row.update(pump_run(scene, shots))
    quiet()
    row["snapshot"] = timed(lambda: md.runtime.snapshot.take_snapshot(
        bpy.context, scene, shots[10], "PREVIEW", tempfile.gettempdir(), "bench"), repeat=5)
    row["draw"] = timed(draw_panels, repeat=5)
    # The panels' shot scan is made again every few seconds (runtime/shot_index.py): that draw costs more.
    row["draw_scan"] = timed(lambda: (md.runtime.shot_index.forget(), draw_panels()), repeat=3)

    path = os.path.join(tempfile.mkdtemp(prefix="md_bench_size_"), f"set_{count}.blend")
    bpy.ops.wm.save_as_mainfile(filepath=path)
    stop()
    bpy.ops.wm.open_mainfile(filepath=path)
    row["load_post"] = timed(md.runtime.handlers.on_load_post, repeat=3)
    return row


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    if os.environ.get("MD_BENCH_HOST_MODE"):
        os.environ["WANGP_HOST_MODE"] = os.environ["MD_BENCH_HOST_MODE"]
        os.environ["WANGP_PYTHON"] = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                  ".venv-wangp", "bin", "python")
    # A Python call of an operator updates the view layer before and after it (bpy/ops.py); a click in
    # Blender's UI does not (its redraw evaluates the scene anyway), so the click is timed without it.
    sys.modules["bpy.ops"]._BPyOpsSubModOp._view_layer_update = staticmethod(lambda _context: None)
    use_fake_wangp(load_delay_s=0.0, step_delay_s=0.05, steps_cap=6, preview_every=1)
    rows = {}
    try:
        for count in sizes:
            begun = time.perf_counter()
            rows[count] = one_size(count)
            print(f"  ({count} objects measured in {time.perf_counter() - begun:.0f} s; {rows[count]['ticks']:.0f} "
                  f"pump ticks, {rows[count]['previews']:.0f} with a preview, {rows[count]['landing']:.0f} with a take "
                  "arriving or landing)", flush=True)
    finally:
        stop()
    head = ("| extra objects | pump median | pump p99 | pump max | take tick | preview tick | Mark Shot | Generate | "
            f"Generate Scene ({SHOTS}) | batch submit tick | snapshot | load_post | panels draw | draw, shot scan |")
    names = ("median", "p99", "max", "take", "preview", "mark", "generate", "scene", "submit", "snapshot", "load_post",
             "draw", "draw_scan")
    for clock, title in ((0, "wall clock"), (1, "the main thread's CPU time")):
        print(f"Main-thread ms ({title}), {SHOTS} shots, {TAKES} takes of 832x480 landing in an edit of "
              f"{2 * (SHOTS - TAKES)} strips (targets: pump median < 1, max < 16; clicks < 500 at 10,000 objects)")
        print(head)
        print("|" + "---|" * (head.count("|") - 1))
        for count, r in rows.items():
            print(f"| {count:,} | " + " | ".join(f"{r[name][clock] * 1000:.1f}" for name in names) + " |")


if __name__ == "__main__":
    main()
