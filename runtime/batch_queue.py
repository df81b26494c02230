"""A batch that survives Blender closing or crashing: its open shots are kept in two places.

The scene's ID property ``movie_director_batch`` (saved with the .blend) and the output folder's
queue file (``QueueFile``, written at once, so a crash before any save still leaves a record) both
list every shot of a batch not finished yet, with its full request once it has one. Opening the
file marks those shots interrupted; Resume submits the recorded requests again, and Recover Takes
attaches the clips WanGP finished before the crash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import bpy

from ..wangp_backend.batch import QueueEntry, QueueFile, request_from_plain, request_to_plain, scan_takes
from ..wangp_backend.batch.estimate import DurationEstimator
from ..wangp_backend.blend_paths import BlendFolder
from ..wangp_backend.requests import JobRequest
from ..wangp_backend.takes import interrupted_record, settle_interrupted
from . import batch_writer, batches, jobs, keys, log, paths, review, session, shot_state, snapshot, timeline

ID_PROP = "movie_director_batch"
INTERRUPTED = shot_state.INTERRUPTED
_FORMAT = 1


def _request_of(item: batches.Item) -> tuple[JobRequest | None, str]:
    """The item's request and job id.

    A job still waiting for the session has no request yet: it is built here with the catalog known
    so far, and replaced by the submitted one at the next save. If it cannot be built, Resume queues
    the shot again from its data.
    """
    record = next((r for r in jobs.submitted() if r.token == item.token), None)
    if record is not None:
        return record.request, record.job_id
    if item.request is not None:
        return item.request, ""
    waiting = next((j for j in jobs.pending() if j.token == item.token), None)
    if waiting is None:
        return None, ""
    if waiting.request is not None:
        return waiting.request, ""
    host = session.get_host()
    animatic = host is not None and host.capabilities.layout_animatic
    built = snapshot.build(waiting.snapshot, session.catalog(), session.templates(), session.vram_gb(), animatic)
    if built.errors:
        return None, ""
    return snapshot.make_request(waiting.snapshot, built, waiting.take_dir, waiting.take_name), ""


#: Plain requests already computed, by (item token, job id): a request never changes once built, and
#: building or serialising 500 of them on every save would stall the main thread.
_plain_requests: dict[tuple[str, str, str], tuple[str, dict[str, Any] | None]] = {}


def _plain_request_of(item: batches.Item, submitted: dict[str, jobs.JobRecord]) -> tuple[str, dict[str, Any] | None]:
    record = submitted.get(item.token) if item.token else None
    key = (item.shot_key, item.token, record.job_id if record is not None else "")
    if key not in _plain_requests:
        request, job_id = _request_of(item)
        _plain_requests[key] = (job_id, request_to_plain(request) if request is not None else None)
    return _plain_requests[key]


def forget() -> None:
    batch_writer.forget()
    _plain_requests.clear()


def _request_for_writer(item: batches.Item, submitted: dict[str, jobs.JobRecord],
                        pending: dict[str, jobs.PendingJob]) -> tuple[str, Any]:
    """The item's job id and request as it is now (plain if already made, else the frozen request for the
    writer thread to convert); a job still waiting without a request gets none (never built here)."""
    record = submitted.get(item.token) if item.token else None
    cached = _plain_requests.get((item.shot_key, item.token, record.job_id if record is not None else ""))
    if cached is not None:
        return cached
    if record is not None:
        return record.job_id, record.request
    if item.request is not None:
        return "", item.request
    waiting = pending.get(item.token)
    return "", waiting.request if waiting is not None else None


def entries(batch: batches.Batch, build: bool = True) -> list[dict[str, Any]]:
    """The batch's open shots in run order, as plain data (``build``) or for the writer thread."""
    out = []
    submitted = {record.token: record for record in jobs.submitted()}
    pending = {job.token: job for job in jobs.pending()}
    for item in batch.items:
        if item.state not in batches.OPEN_STATES:
            continue
        job_id, plain = _plain_request_of(item, submitted) if build else _request_for_writer(item, submitted, pending)
        state = batches.status(item, submitted)
        out.append({
            "shot_key": item.shot_key,
            "shot_name": item.shot_name,
            "model_type": item.model_type,
            "frames": item.frames,
            "quality": item.quality,
            "depends_on": item.depends_on,
            "status": "in_progress" if state == "in_progress" else "queued",
            "job_id": job_id,
            "request": plain,
        })
    return out


def _queue_file(scene: bpy.types.Scene) -> QueueFile:
    return QueueFile.in_folder(paths.output_root(bpy.context, scene))


def save(batch: batches.Batch, background: bool = False) -> None:
    """Write the batch's open shots to the scene and the queue file (replacing the scene's old ones).

    ``background`` (the pump's periodic saves): the JSON is made and written on the writer thread
    (see ``batch_writer``) and the scene's record is stored at a later tick by :func:`store_written`.
    """
    scene = keys.find_scene(batch.scene_key)
    if scene is None:
        return
    queue = _queue_file(scene)
    folder = paths.blend_folder()
    blend_file = folder.store(paths.saving_to() or bpy.data.filepath)
    if background:
        open_entries = entries(batch, build=False)
        if open_entries:
            write = _writer(queue, batch.scene_key, folder, blend_file, open_entries, batch.estimator.to_dict())
            batch_writer.submit(batch.scene_key, write)
            return
    batch_writer.wait_idle()  # an older background write must not land after this one
    batch_writer.take_results().pop(batch.scene_key, None)
    # Paths blend-relative inside the project folder (resolved again by ``load``): the project can move.
    open_entries = [{**e, "request": folder.store_request(e["request"]) if e["request"] else None}
                    for e in entries(batch)]
    if open_entries:
        scene[ID_PROP] = json.dumps({"version": _FORMAT, "entries": open_entries})
    elif ID_PROP in scene:
        del scene[ID_PROP]
    try:
        kept = [e for e in queue.load() if e.scene_key != batch.scene_key]
        queue.save(kept + [_queue_entry(batch.scene_key, e, blend_file) for e in open_entries])
        queue.save_estimator(batch.estimator)
    except OSError as exc:
        log.write(f"Could not write the batch queue file {queue.path}: {exc}")


def _writer(queue: QueueFile, scene_key: str, folder: BlendFolder, blend_file: str,
            open_entries: list[dict[str, Any]], estimates: dict[str, Any]) -> Callable[[], tuple[str, str]]:
    """The writer thread's part of a save: plain stored requests, the scene's record as JSON, the queue file."""

    def write() -> tuple[str, str]:
        stored = []
        for entry in open_entries:
            request = entry["request"]
            if isinstance(request, JobRequest):
                request = request_to_plain(request)
            stored.append({**entry, "request": folder.store_request(request) if request else None})
        try:
            kept = [e for e in queue.load() if e.scene_key != scene_key]
            queue.save(kept + [_queue_entry(scene_key, e, blend_file) for e in stored])
            queue.save_estimator(DurationEstimator.from_dict(estimates))
            problem = ""
        except OSError as exc:
            problem = f"Could not write the batch queue file {queue.path}: {exc}"
        return json.dumps({"version": _FORMAT, "entries": stored}), problem

    return write


def store_written() -> None:
    """Store the scene records the writer thread made (the pump calls it; a cheap string assignment)."""
    for scene_key, (record, problem) in batch_writer.take_results().items():
        if problem:
            log.write(problem)
        scene = keys.find_scene(scene_key)
        batch = batches.get(scene_key)
        if scene is not None and batch is not None and batch.open:
            scene[ID_PROP] = record


def _queue_entry(scene_key: str, entry: dict[str, Any], blend_file: str) -> QueueEntry:
    """A queue-file entry for a stored entry (its request's paths are already blend-relative)."""
    request = entry["request"] or {}
    extra = request.get("sidecar_extra", {})
    return QueueEntry(
        shot_key=entry["shot_key"],
        shot_name=entry["shot_name"],
        scene_key=scene_key,
        blend_file=blend_file,
        job_id=entry["job_id"],
        status=entry["status"],
        settings_hash=extra.get("settings_hash", ""),
        take_dir=request.get("take_dir", ""),
        take_name=request.get("take_name", ""),
        request=request,
    )


def load(scene: bpy.types.Scene) -> list[dict[str, Any]]:
    """The scene's recorded open shots: the .blend's record, plus queue-file entries it lacks
    (written after the last save); every path absolute again."""
    folder = paths.blend_folder()
    return [{**e, "request": folder.resolve_request(e["request"]) if e.get("request") else None}
            for e in _load_stored(scene)]


def _load_stored(scene: bpy.types.Scene) -> list[dict[str, Any]]:
    raw = scene.get(ID_PROP)
    recorded: list[dict[str, Any]] = []
    if isinstance(raw, str) and raw:
        try:
            recorded = list(json.loads(raw).get("entries", []))
        except (json.JSONDecodeError, AttributeError) as exc:
            log.write(f"The batch record of {scene.name} is unreadable ({exc}); using the queue file")
    known = {e["shot_key"] for e in recorded}
    scene_key = scene.movie_director.scene_key
    for entry in _queue_file(scene).load() if scene_key else ():
        if entry.scene_key == scene_key and entry.shot_key not in known:
            known.add(entry.shot_key)
            recorded.append({
                "shot_key": entry.shot_key, "shot_name": entry.shot_name, "status": entry.status,
                "job_id": entry.job_id, "request": entry.request or None, "depends_on": "", "quality": "",
                "model_type": entry.request.get("settings", {}).get("model_type", ""), "frames": 0,
            })
    return recorded


def clear(scene: bpy.types.Scene) -> None:
    if ID_PROP in scene:
        del scene[ID_PROP]
    scene_key = scene.movie_director.scene_key
    queue = _queue_file(scene)
    entries_ = queue.load()
    kept = [e for e in entries_ if e.scene_key != scene_key]
    if len(kept) != len(entries_):
        queue.save(kept)


def load_estimator(scene: bpy.types.Scene):
    return _queue_file(scene).load_estimator()


def take_on_disk(request: dict[str, Any] | None) -> bool:
    """Whether the recorded job already delivered its take (WanGP finished it before the crash)."""
    if not request or not request.get("take_dir") or not request.get("take_name"):
        return False
    return os.path.isfile(os.path.join(request["take_dir"], request["take_name"] + ".json"))


def still_runs(request: dict[str, Any] | None) -> bool:
    """Whether a job of this session still runs the recorded request (the file was opened again
    while it ran): its take lands on disk, for Recover Takes, and must not be made twice."""
    if not request:
        return False
    return any(
        r.take_dir == request.get("take_dir") and r.take_name == request.get("take_name") for r in jobs.submitted()
    )


def mark_interrupted() -> int:
    """Show every recorded, unfinished shot of the open file as interrupted; returns how many."""
    count = 0
    for scene in bpy.data.scenes:
        # The queue file is written at once: a batch started after the last save is found there.
        if ID_PROP not in scene and not scene.movie_director.scene_key:
            continue
        for entry in load(scene):
            if still_runs(entry.get("request")):
                continue
            _scene, obj = keys.find_shot(entry["shot_key"])
            if obj is None:
                continue
            shot_state.interrupted(obj.movie_director)
            count += 1
    if count:
        log.write(f"{count} shot(s) of a batch were interrupted when Blender closed: use Resume Batch")
    return count


def _take_from_sidecar(obj: bpy.types.Object, record: dict[str, Any]) -> None:
    take = obj.movie_director.takes.add()
    take.filepath = paths.stored(record["clip_path"])
    take.sidecar_path = paths.stored(record["sidecar_path"])
    take.model_type = str(record.get("model_type", ""))
    take.seed = int(record.get("seed", 0) or 0)
    take.created = str(record.get("finished_at", ""))
    take.used_fallback = bool(record.get("used_fallback", False))
    take.primary_error = str(record.get("primary_error", ""))
    take.settings_hash = str(record.get("settings_hash", ""))
    take.fps = float(record.get("fps", 0) or 0)
    take.frame_count = int(record.get("frame_count", 0) or 0)
    take.has_audio = bool(record.get("has_audio", False))
    parent = record.get("parent_take")
    take.parent_take = paths.stored(str(parent.get("file", ""))) if isinstance(parent, dict) else ""
    review.restore(take, record)


def _in_flight(clip: str) -> bool:
    """A clip a running job of ours will deliver itself (its TakeReady adds the take)."""
    stem = os.path.splitext(os.path.basename(clip))[0]
    folder = os.path.dirname(clip)
    return any(r.take_dir == folder and r.take_name == stem for r in jobs.submitted())


def settle_interrupted_filing(scene: bpy.types.Scene) -> None:
    """Tidy the take folders of the scene's recorded jobs that a crash cut off while filing their take."""
    for entry in load(scene):
        request = entry.get("request")
        if not request or still_runs(request) or not request.get("take_dir") or not request.get("take_name"):
            continue
        record = interrupted_record(request_from_plain(request), str(entry.get("job_id", "")))
        try:
            done = settle_interrupted(request["take_dir"], request["take_name"], record)
        except OSError as exc:
            log.write(f"{entry.get('shot_name', '')}: could not tidy {request['take_dir']}: {exc}")
            continue
        for line in done:
            log.write(f"{entry.get('shot_name', '')}: {line}")


def _shot_by_name(scene: bpy.types.Scene, record: dict[str, Any]) -> bpy.types.Object | None:
    """The shot of ``scene`` a take of a rebuilt scene belongs to: the same scene name and shot name.

    A scene made again (by a script, or in a new file) gets a new scene key, so its old takes no
    longer match by key; its shots carry the same names, and its takes live under the same folders.
    """
    if str(record.get("scene_name", "")) != scene.name:
        return None
    obj = scene.objects.get(str(record.get("shot_name", "")))
    return obj if obj is not None and obj.movie_director.is_shot else None


def recover_takes(context: bpy.types.Context, scene: bpy.types.Scene) -> tuple[list[str], list[str], list[str]]:
    """Attach the takes on disk that the scene's shots lack (never twice): by shot key, and for takes
    of a scene no longer in the file (rebuilt: a new scene key), by scene and shot name.

    :return: ``(recovered, orphaned, by_name)``: "<shot>: <clip>" lines for the takes added, for the
        takes of shots of this scene that no longer exist (left on disk), and the shots matched by name.
    """
    scene_key = keys.scene_key(scene)
    recovered: list[str] = []
    orphaned: list[str] = []
    by_name: list[str] = []
    settle_interrupted_filing(scene)
    for record in scan_takes(paths.output_root(context, scene)):
        shot_key = str(record.get("shot_key", ""))
        if _in_flight(record["clip_path"]):
            continue
        take_scene = keys.split_key(shot_key)[0]
        if take_scene == scene_key:
            _scene, obj = keys.find_shot(shot_key)
            if obj is None:
                orphaned.append(f"{record.get('shot_name', shot_key)}: {record['clip_path']}")
                continue
        elif keys.find_scene(take_scene) is None:
            obj = _shot_by_name(scene, record)
            if obj is None:
                continue
        else:
            continue  # a take of another scene of this file
        shot = obj.movie_director
        known = {os.path.normcase(os.path.abspath(bpy.path.abspath(t.filepath))) for t in shot.takes}
        if os.path.normcase(record["clip_path"]) in known:
            continue
        _take_from_sidecar(obj, record)
        if take_scene != scene_key and obj.name not in by_name:
            by_name.append(obj.name)
        shot.active_take_index = len(shot.takes) - 1
        shot.take_list_index = shot.active_take_index
        shot_state.recovered(shot)
        timeline.request_show(keys.shot_key(scene, obj), shot.active_take_index)
        recovered.append(f"{obj.name}: {record['clip_path']}")
    for line in recovered:
        log.write(f"Recovered take {line}")
    if by_name:
        log.write(f"Matched by name (takes of an earlier scene '{scene.name}'): {', '.join(by_name)}")
    for line in orphaned:
        log.write(f"Take of a deleted shot, left on disk: {line}")
    return recovered, orphaned, by_name


def resume_items(scene: bpy.types.Scene) -> list[batches.Item]:
    """The recorded shots still to generate, in their recorded order (delivered ones are recovered instead)."""
    items: list[batches.Item] = []
    for entry in load(scene):
        if take_on_disk(entry.get("request")):
            continue
        if still_runs(entry.get("request")):
            log.write(f"{entry['shot_name']}: not resumed, its job still runs (Recover Takes attaches its take)")
            continue
        _scene, obj = keys.find_shot(entry["shot_key"])
        if obj is None:
            log.write(f"{entry['shot_name']}: not resumed, the shot no longer exists")
            continue
        request = entry.get("request")
        items.append(
            batches.Item(
                shot_key=entry["shot_key"],
                shot_name=obj.name,
                model_type=entry.get("model_type", ""),
                frames=int(entry.get("frames", 0) or 0),
                quality=entry.get("quality", ""),
                depends_on=entry.get("depends_on", ""),
                request=request_from_plain(request) if request else None,
            )
        )
    present = {i.shot_key for i in items}
    for item in items:
        if item.depends_on not in present:
            item.depends_on = ""
    return items
