"""File load and save handlers.

Opening a file: jobs made for the old one keep running (their takes land on disk with sidecars and
the log says where) but never write into the new file; its shots saved mid-job show a state that
no job will ever finish, so it is reset. Saving: strip edits wait until the save is over, and the
takes' blend-relative paths follow a Save As to another folder.
"""

from __future__ import annotations

import bpy
from bpy.app.handlers import persistent

from ..wangp_backend.blend_paths import BlendFolder
from . import batch_queue, batches, jobs, keys, log, paths, shot_index, shot_state, submit, timeline, undo


@persistent
def on_load_pre(*_args) -> None:
    # The batches first (their record saved as it is, to resume when the file is opened again): a
    # cancelled job's end must not count against its batch, nor release the next shots into the queue.
    batches.forget()
    submit.cancel_all("another file was opened")
    jobs.bump_file_token()
    # The pump's backlog is kept: the session's states and the old file's job ends in it are applied
    # after the load (a job end as an orphan, with the take's whereabouts in the log).
    forget_file()


#: What is kept about the open file only: its shots' keys, strips waiting to be placed, the batch record's
#: writer, the takes undo knows, the shot scan. One list for opening another file and for unregistering.
_FILE_STATE = (keys.forget, timeline.forget, batch_queue.forget, undo.forget, shot_index.forget)


def forget_file() -> None:
    for forget in _FILE_STATE:
        forget()


@persistent
def on_load_post(*_args) -> None:
    stale = 0
    for obj in bpy.data.objects:
        shot = obj.movie_director
        if shot.is_shot and shot_state.reset_stale(shot):
            stale += 1
    if stale:
        log.write(f"{stale} shot(s) were saved while generating; their jobs belong to an earlier session")
    running = [r for r in jobs.submitted() if r.file_token != jobs.file_token()]
    if running:
        log.write(
            f"{len(running)} job(s) of the previous file still run; their takes will be kept on disk "
            "with their settings, and listed here"
        )
    timeline.drop_pending()  # strips of a landing an autosave caught half-way
    # A batch saved while it ran (Blender closed or crashed): show its shots as interrupted, offer Resume.
    batch_queue.mark_interrupted()


@persistent
def on_save_pre(filepath: str = "", *_args) -> None:
    timeline.finish_all()  # the file holds whole landings only
    timeline.set_saving(True)
    target = filepath or bpy.data.filepath
    rebase_takes(bpy.data.filepath, target)
    paths.set_saving_to(target)
    batches.save_due(force=True)  # the saved file carries the batch record as it is now


@persistent
def on_save_post(*_args) -> None:
    timeline.set_saving(False)
    target = paths.saving_to()
    paths.set_saving_to("")
    if target and BlendFolder(target).folder != BlendFolder(bpy.data.filepath).folder:
        # A copy was saved (or the save failed): the open file is still the old one, so are its paths.
        rebase_takes(target, bpy.data.filepath)


def rebase_takes(old_file: str, new_file: str) -> int:
    """Keep the takes' paths right when the file is saved somewhere else (or saved for the first time).

    Blender remaps its own relative paths (strips, images) on Save As; an add-on's string properties
    are not, so a take stored as ``//...`` would point into the new folder. Each take is resolved
    against the old folder and stored again for the new one; returns how many changed.
    """
    old, new = BlendFolder(old_file), BlendFolder(new_file)
    if old.folder == new.folder:
        return 0
    changed = 0
    for obj in bpy.data.objects:
        shot = obj.movie_director
        if not shot.is_shot:
            continue
        for take in shot.takes:
            for name in ("filepath", "sidecar_path", "parent_take"):
                value = getattr(take, name)
                if not value or (value.startswith("//") and not old.folder):
                    continue
                rebased = new.store(old.resolve(value))
                if rebased != value:
                    setattr(take, name, rebased)
                    changed += 1
    return changed


_HANDLERS = (
    (bpy.app.handlers.load_pre, on_load_pre),
    (bpy.app.handlers.load_post, on_load_post),
    (bpy.app.handlers.save_pre, on_save_pre),
    (bpy.app.handlers.save_post, on_save_post),
    # A failed save must not leave strip edits waiting forever.
    (bpy.app.handlers.save_post_fail, on_save_post),
)


def register() -> None:
    for handler_list, fn in _HANDLERS:
        if fn not in handler_list:
            handler_list.append(fn)
    undo.register()


def unregister() -> None:
    for handler_list, fn in _HANDLERS:
        if fn in handler_list:
            handler_list.remove(fn)
    undo.unregister()
    timeline.set_saving(False)
    paths.set_saving_to("")
