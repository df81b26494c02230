"""The farm host: WanGP runs on a Ray cluster of GPU machines; Blender speaks to it over HTTP.

Implements :class:`wangp_backend.hosts.api.RemoteHost` with the same messages as the other hosts, so takes,
sidecars, strips, batches, Resume and Recover work unchanged. Two threads, so a long poll never delays
a click: the *sender* uploads inputs, submits and cancels; the *poller* follows the farm's events by
long poll and brings each finished clip into its take folder (downloaded, checked by size and hash,
then filed with its sidecar, which names the worker that made it).

Farm job ids come from the shot and the take (:func:`wire.job_id_for`): a Resume after Blender
restarted submits the same ids again, and the farm answers with what it already knows: a done shot's
clip is linked (or fetched), a running one is followed again, an unknown one runs.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from ..batch import request_to_plain
from ..catalog import ModelCatalog
from ..failures import hint_for, one_line
from ..farm import wire
from ..farm.client import FarmClient, FarmError
from ..farm.needs import min_vram_gb
from ..logs import get_logger
from ..messages import Cancelled, Failed, Log, Message, Preview, Queued, SessionState, Started, TakeReady, from_wire
from ..requests import JobRequest
from ..review import read_sidecar
from ..states import ErrorClass
from ..takes import place_take, sidecar_path, write_sidecar
from .api import FARM, Capabilities, QueueHost, WorkersView

log = get_logger()

#: How long one events request may wait on the farm.
LONG_POLL_S = 20.0
#: How often the farm's workers and queue are read for the panel.
INFO_INTERVAL_S = 2.0
#: Pause before asking again when the farm cannot be reached.
RETRY_S = 1.0


@dataclass
class _Job:
    job_id: str
    request: JobRequest
    #: local input path -> what the farm calls it (a blob ref or a shared path), to map the sidecar back
    inputs: dict[str, str] = field(default_factory=dict)
    sent: bool = False
    final: bool = False


class FarmHost(QueueHost):
    mode = "farm"

    def __init__(self, url: str, token: str, *, path_map: str = "", client: FarmClient | None = None,
                 long_poll_s: float = LONG_POLL_S) -> None:
        self.url = url
        self._client = client or FarmClient(url, token)
        self._path_map = wire.PathMap.parse(path_map)
        self._long_poll_s = long_poll_s
        self._messages: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self._commands: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._state = "stopped"
        self._wangp_version = ""
        self._catalog: ModelCatalog | None = None
        self._view = WorkersView(url=url)
        self._since = 0
        self._epoch = ""
        self._order = 0
        self._client_id = uuid.uuid4().hex[:12]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- the Host interface ---

    def start(self) -> None:
        with self._lock:
            if self._state in ("starting", "ready"):
                return
            self._stop = threading.Event()
            self._set_state(SessionState("starting", mode=self.mode))
        self._threads = [threading.Thread(target=self._sender_main, name="movie-director-farm-send", daemon=True)]
        self._threads[0].start()

    def submit(self, request: JobRequest) -> str:
        job_id = wire.job_id_for(request.shot_key, request.take_dir, request.take_name)
        with self._lock:
            known = self._jobs.get(job_id)
            if known is not None and not known.final:
                # The same take asked for twice while it runs: one job, followed once.
                return job_id
            self._jobs[job_id] = _Job(job_id, request)
            position = sum(1 for j in self._jobs.values() if not j.final) - 1
        self._messages.put(Queued(job_id, request.shot_key, position=position))
        self._commands.put(("submit", job_id))
        return job_id

    def cancel(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.final:
                return
            if not job.sent:
                job.final = True
                self._messages.put(Cancelled(job_id, job.request.shot_key, reason="removed from queue"))
                return
        self._commands.put(("cancel", job_id))

    def cancel_all(self) -> None:
        with self._lock:
            open_ids = [j.job_id for j in self._jobs.values() if not j.final]
        for job_id in open_ids:
            self.cancel(job_id)

    def refresh_models(self) -> None:
        self._commands.put(("refresh", ""))

    def close(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            if self._state == "stopped":
                return
            self._set_state(SessionState("closing", mode=self.mode))
            sent = [j for j in self._jobs.values() if j.sent and not j.final]
            for job in self._jobs.values():
                if not job.final:
                    job.final = True
                    self._messages.put(Cancelled(job.job_id, job.request.shot_key, reason="session closed"))
        # The farm would run them for nobody: ask it to drop them (best effort within the timeout).
        for job in sent:
            if time.monotonic() > deadline:
                break
            try:
                self._client.cancel(job.job_id)
            except FarmError as exc:
                log.warning("farm: cancelling %s on close failed: %s", job.job_id, exc.message)
        self._stop.set()
        self._commands.put(("close", ""))
        for thread in self._threads:
            # The poller may sit in a long poll: it is a daemon and ends when that returns.
            if thread.name.endswith("send"):
                thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._set_state(SessionState("stopped", mode=self.mode))

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._state == "starting" or any(not j.final for j in self._jobs.values())

    @property
    def view(self) -> WorkersView:
        return self._view

    @property
    def capabilities(self) -> Capabilities:
        # One shot per worker at a time: the workers as last read (before the first read, one).
        return replace(FARM, jobs_at_once=max(1, len(self._view.workers)))

    # --- the sender thread ---

    def _sender_main(self) -> None:
        if not self._connect():
            return
        poller = threading.Thread(target=self._poller_main, name="movie-director-farm-poll", daemon=True)
        self._threads.append(poller)
        poller.start()
        while not self._stop.is_set():
            kind, job_id = self._commands.get()
            try:
                if kind == "submit":
                    self._send(job_id)
                elif kind == "cancel":
                    self._client.cancel(job_id)
                elif kind == "refresh":
                    self._read_info(announce=True)
            except FarmError as exc:
                self._command_failed(kind, job_id, exc)
            except Exception as exc:  # the boundary: a bug in one command must not stop the farm host
                log.error("farm: %s %s failed", kind, job_id, exc_info=exc)
                self._command_failed(kind, job_id, FarmError(f"{type(exc).__name__}: {one_line(exc)}"))

    def _connect(self) -> bool:
        try:
            info = self._read_info(announce=False)
            if not info.get("workers"):
                raise FarmError(f"The farm at {self.url} has no worker yet")
        except FarmError as exc:
            hint = ("Set the Farm Token in the add-on preferences." if exc.auth
                    else "Start the farm (bash tools/farm.sh up N) or check the Farm URL in the add-on preferences; "
                         "a farm's workers join with `ray start --address=...` on each GPU machine.")
            with self._lock:
                self._set_state(SessionState("failed", message=exc.message, hint=hint, mode=self.mode))
                for job in self._jobs.values():
                    if not job.final:
                        job.final = True
                        self._messages.put(Failed(job.job_id, job.request.shot_key, stage="environment",
                                                  message=exc.message, error_class="environment", hint=hint))
            return False
        self._since, self._epoch = int(info.get("seq", 0)), str(info.get("epoch", ""))
        with self._lock:
            self._set_state(self._ready_state(info))
        return True

    def _ready_state(self, info: dict[str, Any], message: str = "") -> SessionState:
        workers = info.get("workers", [])
        return SessionState(
            "ready", message=message, wangp_version=self._wangp_version, models=tuple(info.get("models", ())),
            vram_gb=max((float(w.get("vram_gb", 0)) for w in workers), default=0.0), mode=self.mode,
        )

    def _read_info(self, announce: bool, models: bool = True) -> dict[str, Any]:
        info = self._client.info(models=models)
        self._wangp_version = str(info.get("wangp_version", ""))
        if models:
            self._catalog = ModelCatalog.from_records(tuple(info.get("models", ())))
        with self._lock:
            names = {j.request.shot_key: str(j.request.sidecar_extra.get("shot_name", "")) for j in self._jobs.values()}
        self._view = WorkersView(
            url=self.url,
            workers=tuple((str(w.get("name", "")), str(w.get("state", "")), str(w.get("model", "")),
                           names.get(str(w.get("shot_key", ""))) or str(w.get("shot_key", "")),
                           float(w.get("vram_gb", 0))) for w in info.get("workers", [])),
            queued=int(info.get("queued", 0)), running=int(info.get("running", 0)),
        )
        if announce:
            self._messages.put(self._ready_state(info))
        return info

    def _send(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.final:
                return
        settings = self._upload_inputs(job)
        plain = request_to_plain(replace(job.request, settings=settings))
        self._order += 1
        model_type = str(settings.get("model_type", ""))
        status = self._client.submit({
            "job_id": job_id, "request": plain, "client": self._client_id, "order": self._order,
            "priority": int(job.request.sidecar_extra.get("priority", 0) or 0),
            "min_vram_gb": min_vram_gb(model_type), "model_type": model_type,
        })
        with self._lock:
            job.sent = True
            cancelled_meanwhile = job.final
        if cancelled_meanwhile:
            self._client.cancel(job_id)  # cancelled while it was on its way: the farm must drop it too
            return
        self._follow_status(job, status)

    def _upload_inputs(self, job: _Job) -> dict[str, Any]:
        mapping: dict[str, str] = {}
        for path in wire.media_files(job.request.settings):
            shared = self._path_map.to_farm(path)
            if shared is not None:
                mapping[path] = shared
                continue
            _size, sha = wire.file_digest(path)
            if not self._client.has_blob(sha):
                self._client.put_blob(path, sha)
            mapping[path] = wire.blob_ref(sha, path)
        job.inputs = mapping
        return wire.rewrite_paths(job.request.settings, mapping)

    def _command_failed(self, kind: str, job_id: str, exc: FarmError) -> None:
        job = self._jobs.get(job_id)
        if kind == "submit" and job is not None:
            self._end(job, Failed(job_id, job.request.shot_key, stage="submit", error_class="environment",
                                  message=f"The farm did not take the shot: {exc.message}",
                                  hint=hint_for("environment")))
        else:
            self._messages.put(Log(job_id, job.request.shot_key if job else "", source="info",
                                   text=f"farm: {kind} failed: {exc.message}"))

    # --- the poller thread ---

    def _poller_main(self) -> None:
        next_info = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_info:
                    self._read_info(announce=False, models=False)
                    next_info = time.monotonic() + INFO_INTERVAL_S
                # The long poll ends in time for the next info read: while no event comes (a model loading for
                # minutes, a shot held), the sidebar's workers line must not wait the whole long poll.
                wait_s = min(self._long_poll_s, max(0.0, next_info - time.monotonic()))
                reply = self._client.events(self._since, wait_s)
            except FarmError as exc:
                self._view = replace(self._view, problem=exc.message)
                self._stop.wait(RETRY_S)
                continue
            if str(reply.get("epoch", "")) != self._epoch:
                # A restarted dispatcher numbers its events afresh: ask it about every open job.
                self._epoch, self._since = str(reply.get("epoch", "")), 0
                self._resync()
                continue
            if int(reply.get("first", 0)) > self._since + 1:
                # Events we never saw were dropped (a long disconnection): the jobs' status says where they are.
                self._since = int(reply.get("seq", self._since))
                self._resync()
                continue
            for event in reply.get("events", ()):
                self._since = max(self._since, int(event.get("seq", 0)))
                try:
                    self._on_event(event)
                except Exception as exc:  # the boundary: one odd event must not stop the others
                    log.error("farm: event %s could not be applied", event.get("type"), exc_info=exc)

    def _resync(self) -> None:
        for job in [j for j in self._jobs.values() if j.sent and not j.final]:
            try:
                self._follow_status(job, self._client.status(job.job_id))
            except FarmError as exc:
                if exc.status == 404:
                    self._commands.put(("submit", job.job_id))  # the farm never heard of it: run it
                else:
                    log.warning("farm: status of %s: %s", job.job_id, exc.message)

    def _on_event(self, event: dict[str, Any]) -> None:
        job = self._jobs.get(str(event.get("job_id", "")))
        if job is None or job.final:
            return
        kind, shot_key = event.get("type"), job.request.shot_key
        if kind == "message":
            message = from_wire({**event["message"], "job_id": job.job_id, "shot_key": shot_key})
            if message.kind in ("failed", "cancelled"):
                self._end(job, message)
            elif message.kind != "take_ready":  # the clip arrives with the "done" event
                self._messages.put(message)
        elif kind == "preview":
            width, height, pixels = wire.decode_preview(event["preview"])
            self._messages.put(Preview(job.job_id, shot_key, width, height, pixels))
        elif kind == "assigned":
            self._messages.put(Log(job.job_id, shot_key, "info", f"running on farm worker {event.get('worker')}"))
        elif kind == "requeued":
            self._messages.put(Log(job.job_id, shot_key, "info",
                                   f"farm worker {event.get('worker')} was lost ({event.get('reason')}); requeued"))
        elif kind == "done":
            self._deliver(job, event)

    def _follow_status(self, job: _Job, status: dict[str, Any]) -> None:
        """Take up a job from its status: what a (re)submit or a resync answers."""
        state, shot_key = status.get("state"), job.request.shot_key
        if state == "running":
            self._messages.put(Started(job.job_id, shot_key, str(status.get("model_type", "")),
                                       attempt=int(status.get("attempt", 0))))
            self._messages.put(Log(job.job_id, shot_key, "info", f"running on farm worker {status.get('worker')}"))
        elif state == "done":
            self._deliver(job, status)
        elif state == "failed":
            error = status.get("error") or {}
            self._end(job, Failed(job.job_id, shot_key, stage=str(error.get("stage", "farm")),
                                  message=str(error.get("message", "failed on the farm")),
                                  error_class=ErrorClass.parse(error.get("error_class"), ErrorClass.RUNTIME),
                                  hint=str(error.get("hint", "")), log_tail=tuple(error.get("log_tail", ()))))
        elif state == "cancelled":
            self._end(job, Cancelled(job.job_id, shot_key, reason=str(status.get("reason", "cancelled on the farm"))))

    def _deliver(self, job: _Job, done: dict[str, Any]) -> None:
        with self._lock:
            if job.final:
                return
            job.final = True  # claimed: the submit answer and the event may both say "done"
        try:
            message = self._linked(job, done) or self._fetch(job, done)
        except (FarmError, OSError, ValueError, KeyError) as exc:
            text = exc.message if isinstance(exc, FarmError) else f"{type(exc).__name__}: {one_line(exc)}"
            message = Failed(job.job_id, job.request.shot_key, stage="take", error_class="runtime",
                             message=f"The finished clip could not be brought from the farm: {text}",
                             hint="The clip stays on the farm: Resume the batch or Generate again to fetch it.")
        self._messages.put(message)

    def _linked(self, job: _Job, done: dict[str, Any]) -> TakeReady | None:
        """The take a Blender that closed mid-batch had already fetched, found by its sidecar."""
        request = job.request
        ext = os.path.splitext(str(done["record"].get("file", ".mp4")))[1]
        clip = os.path.join(request.take_dir, request.take_name + ext)
        try:
            record = read_sidecar(sidecar_path(clip))
        except (OSError, ValueError):
            return None
        if record.get("job_id") != job.job_id or wire.file_digest(clip) != (int(done["size"]), done["sha256"]):
            return None
        return _take_ready(job.job_id, request.shot_key, clip, record)

    def _fetch(self, job: _Job, done: dict[str, Any]) -> TakeReady:
        request, record = job.request, dict(done["record"])
        os.makedirs(request.take_dir, exist_ok=True)
        ext = os.path.splitext(str(record.get("file", ".mp4")))[1] or ".mp4"
        partial = os.path.join(request.take_dir, f".{request.take_name}.{uuid.uuid4().hex[:8]}.partial{ext}")
        self._client.download(job.job_id, partial, int(done["size"]), str(done["sha256"]))
        try:
            clip = place_take(partial, request.take_dir, request.take_name)
        except OSError:
            os.remove(partial)
            raise
        back = {ref: local for local, ref in job.inputs.items()}
        worker = str(done.get("worker", ""))
        record.update(
            file=os.path.basename(clip), job_id=job.job_id, shot_key=request.shot_key,
            settings=wire.rewrite_paths(record.get("settings", {}), back), worker=worker,
            farm={"url": self.url, "worker": worker, "node": str(done.get("node", "")),
                  "size": int(done["size"]), "sha256": str(done["sha256"])},
        )
        for key, value in request.sidecar_extra.items():
            record.setdefault(key, value)
        return _take_ready(job.job_id, request.shot_key, clip, record, write_sidecar(clip, record))

    def _end(self, job: _Job, message: Message) -> None:
        with self._lock:
            if job.final:
                return
            job.final = True
        self._messages.put(message)

    def _set_state(self, message: SessionState) -> None:
        """Called with ``_lock`` held."""
        self._state = message.state
        self._messages.put(message)


def _take_ready(job_id: str, shot_key: str, clip: str, record: dict[str, Any], sidecar: str = "") -> TakeReady:
    return TakeReady(
        job_id, shot_key, filepath=clip, sidecar_path=sidecar or sidecar_path(clip),
        model_type=str(record.get("model_type", "")), seed=int(record.get("seed", 0)),
        fps=float(record.get("fps", 16.0)), frame_count=int(record.get("frame_count", 0)),
        width=int(record.get("width", 0)), height=int(record.get("height", 0)),
        has_audio=bool(record.get("has_audio", False)), used_fallback=bool(record.get("used_fallback", False)),
        primary_error=str(record.get("primary_error", "")), settings_hash=str(record.get("settings_hash", "")),
        duration_s=float(record.get("duration_s", 0.0)),
    )
