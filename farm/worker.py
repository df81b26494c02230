"""One GPU's WanGP session on the farm: the add-on's own ``SessionHost``, fed one farm assignment at a time.

It runs in WanGP's Python environment on a GPU machine (inside a Ray actor, see ``farm.ray_app``),
so a shot is generated exactly as in Blender's in-process mode: same validation, fallbacks, events
and take filing. Only the edges differ: uploaded inputs are written to a scratch folder and the
settings point there; the take is filed into scratch and handed back (path, size, hash, sidecar
record, with input paths named as the add-on uploaded them).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from wangp_backend.batch import request_from_plain
from wangp_backend.farm.wire import PREVIEW_MAX_SIDE, blob_refs, encode_preview, file_digest, rewrite_paths
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.messages import Cancelled, Failed, Preview, Queued, SessionState, TakeReady, to_wire
from wangp_backend.requests import SessionConfig

#: Progress is sent to the dispatcher in batches at most this often.
REPORT_EVERY_S = 0.1

Report = Callable[[list[dict[str, Any]]], None]


class StartFailed(RuntimeError):
    """WanGP did not start on this worker (the message says why)."""


class WorkerCore:
    def __init__(self, config: SessionConfig, scratch: str, *, vram_gb: float = 0.0, start_timeout_s: float = 900.0,
                 host: SessionHost | None = None) -> None:
        self.scratch = scratch
        self.host = host or SessionHost(config, preview_max_side=PREVIEW_MAX_SIDE)
        self.host.start()
        state = self._wait_for_start(start_timeout_s)
        self.models = list(state.models)
        self.wangp_version = state.wangp_version
        self.vram_gb = vram_gb or state.vram_gb
        self._lock = threading.Lock()
        self._running: tuple[str, str] = ("", "")  # (farm job id, host job id)

    def _wait_for_start(self, timeout_s: float) -> SessionState:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for message in self.host.drain():
                if isinstance(message, SessionState) and message.state == "ready":
                    return message
                if isinstance(message, SessionState) and message.state == "failed":
                    raise StartFailed(f"{message.message} {message.hint}".strip())
            time.sleep(0.02)
        raise StartFailed(f"WanGP did not start within {timeout_s:g} s")

    @property
    def current(self) -> str:
        return self._running[0]

    def cancel(self, job_id: str) -> None:
        with self._lock:
            farm_id, host_id = self._running
        if farm_id == job_id and host_id:
            self.host.cancel(host_id)

    def run(self, assignment: dict[str, Any], report: Report) -> dict[str, Any]:
        """Generate one assignment; returns its outcome (``done``, ``failed`` or ``cancelled``, see
        ``Dispatcher.finish``). ``assignment["blobs"]`` holds the uploaded inputs' bytes by sha256."""
        job_id, attempt = str(assignment["job_id"]), int(assignment["attempt"])
        plain = assignment["request"]
        to_local = self._inputs(plain["settings"], assignment.get("blobs", {}))
        to_farm = {local: ref for ref, local in to_local.items()}
        request = request_from_plain(plain)
        request = replace(request, settings=rewrite_paths(request.settings, to_local),
                          take_dir=os.path.join(self.scratch, "takes", f"{job_id}-{attempt}"))
        host_id = self.host.submit(request)
        with self._lock:
            self._running = (job_id, host_id)
        try:
            return self._follow(host_id, to_farm, report)
        finally:
            with self._lock:
                self._running = ("", "")

    def _inputs(self, settings: dict[str, Any], blobs: dict[str, bytes]) -> dict[str, str]:
        mapping = {}
        for ref, sha, name in blob_refs(settings):
            path = os.path.join(self.scratch, "inputs", sha, os.path.basename(name) or "input")
            if not os.path.isfile(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path + ".part", "wb") as fh:
                    fh.write(blobs[sha])
                os.replace(path + ".part", path)
            mapping[ref] = path
        return mapping

    def _follow(self, host_id: str, to_farm: dict[str, str], report: Report) -> dict[str, Any]:
        batch: list[dict[str, Any]] = []
        last_sent = time.monotonic()
        while True:
            for message in self.host.drain():
                if getattr(message, "job_id", None) != host_id or isinstance(message, Queued):
                    continue
                if isinstance(message, TakeReady):
                    report(batch)
                    return self._done(message, to_farm)
                if isinstance(message, Failed):
                    report(batch)
                    header = to_wire(message)[0]
                    return {"kind": "failed", "error": {k: header[k] for k in
                                                        ("stage", "message", "error_class", "hint", "log_tail")}}
                if isinstance(message, Cancelled):
                    report(batch)
                    return {"kind": "cancelled", "reason": message.reason}
                batch.append(_event(message, to_farm))
            if batch and time.monotonic() - last_sent >= REPORT_EVERY_S:
                report(batch)
                batch, last_sent = [], time.monotonic()
            time.sleep(0.01)

    @staticmethod
    def _done(message: TakeReady, to_farm: dict[str, str]) -> dict[str, Any]:
        with open(message.sidecar_path, encoding="utf-8") as fh:
            record = json.load(fh)
        record["settings"] = rewrite_paths(record.get("settings", {}), to_farm)
        size, sha = file_digest(message.filepath)
        return {"kind": "done", "path": message.filepath, "sidecar_path": message.sidecar_path, "size": size,
                "sha256": sha, "record": record}

    def close(self) -> None:
        self.host.close(timeout=30.0)


def _event(message: Any, to_farm: dict[str, str]) -> dict[str, Any]:
    if isinstance(message, Preview):
        return {"type": "preview", "preview": encode_preview(message.pixels, message.width, message.height)}
    header = to_wire(message)[0]
    header.pop("job_id", None)
    if "settings" in header:
        header["settings"] = rewrite_paths(header["settings"], to_farm)
    return {"type": "message", "message": header}
