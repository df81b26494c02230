"""Test double of WanGP's in-process API (``shared/api.py`` of deepbeepmeep/Wan2GP, WanGP 12.60).

Same names, dataclasses, threads and side effects as the real module, so code written against it
runs unchanged on a real install: one runtime per process, ``init()`` imports ``wgp`` with cwd and
``sys.argv`` switched, every session call runs with cwd at the root, and a job replaces
``sys.stdout``/``sys.stderr`` process-wide while it runs. Generation itself is simulated by the fake
``wgp`` module. ``_reset_for_tests()`` is the only addition: it forgets the loaded runtime.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import json
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

_RUNTIME_LOCK = threading.RLock()
_GENERATION_LOCK = threading.RLock()
_RUNTIME: "_WanGPRuntime | None" = None
_BANNER_PRINTED = False
#: Jobs whose thread has not finished, so ``_reset_for_tests`` can stop them before forgetting the runtime.
_LIVE_JOBS: "set[SessionJob]" = set()
_WRAPPER_RE = re.compile(
    r"^(?:(?:prompt|sample|sliding window|window|chunk|task|step|phase|pass)\s+\d+\s*/\s*\d+|[\d:.]+\s*[smh]?)$",
    re.IGNORECASE,
)


def extract_status_phase_label(text: str | None) -> str:
    """The phase part of a WanGP status such as ``"Prompt 1/1 | Denoising | 1.2s"`` (``"Denoising"``)."""
    for part in str(text or "").split("|"):
        part = part.strip()
        if part and not _WRAPPER_RE.match(part):
            return part
    return ""


@dataclass(frozen=True)
class StreamMessage:
    stream: str
    text: str


@dataclass(frozen=True)
class ProgressUpdate:
    phase: str
    status: str
    progress: int
    current_step: int | None
    total_steps: int | None
    raw_phase: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class PreviewUpdate:
    image: Image.Image | None
    phase: str
    status: str
    progress: int
    current_step: int | None
    total_steps: int | None


@dataclass(frozen=True)
class SessionEvent:
    kind: str
    data: Any = None
    timestamp: float = field(default_factory=time.time)


@dataclass(frozen=True)
class GeneratedArtifact:
    path: str | None
    media_type: str
    client_id: str = ""
    video_tensor_uint8: Any = None
    video_tensor_hdr: Any = None
    hdr: bool = False
    audio_tensor: Any = None
    audio_sampling_rate: int | None = None
    fps: float | None = None
    flashvsr_continue_cache: Any = None

    @classmethod
    def from_payload(cls, payload: dict[str, Any], *, default_client_id: str = "") -> "GeneratedArtifact | None":
        if not isinstance(payload, dict):
            return None
        known = {name: payload[name] for name in cls.__dataclass_fields__ if name in payload}
        known.setdefault("client_id", default_client_id)
        known.setdefault("media_type", "video")
        known.setdefault("path", None)
        return cls(**known)


@dataclass(frozen=True)
class GenerationResult:
    success: bool
    generated_files: list[str]
    errors: list["GenerationError"]
    total_tasks: int
    successful_tasks: int
    failed_tasks: int
    artifacts: tuple[GeneratedArtifact, ...] = ()

    @property
    def cancelled(self) -> bool:
        """True only when every error is a cancellation (a loading error plus a cancel is not)."""
        return bool(self.errors) and all(error.cancelled for error in self.errors)


@dataclass(frozen=True)
class GenerationError:
    message: str
    task_index: int | None = None
    task_id: Any = None
    stage: str | None = None

    def __str__(self) -> str:
        return self.message

    @property
    def cancelled(self) -> bool:
        if str(self.stage or "").strip().lower() == "cancelled":
            return True
        return str(self.message or "").strip().lower() == "generation was cancelled"


class SessionStream:
    """A job's event queue; ``iter()`` keeps waiting through timeouts and ends only once closed."""

    def __init__(self) -> None:
        from .fake_profile import current

        self._queue: queue.Queue[SessionEvent | object] = queue.Queue()
        self._closed = threading.Event()
        self._sentinel = object()
        self._drop_old_progress = bool(current()["drop_old_progress"])

    def put(self, kind: str, data: Any = None) -> None:
        if self._closed.is_set():
            return
        if kind == "progress" and self._drop_old_progress:
            # Newer WanGP keeps only the newest unread progress event.
            with self._queue.mutex:
                pending = self._queue.queue
                for stale in [e for e in pending if isinstance(e, SessionEvent) and e.kind == "progress"]:
                    pending.remove(stale)
        self._queue.put(SessionEvent(kind=kind, data=data))

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self._queue.put(self._sentinel)

    def clear(self) -> None:
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        if self._closed.is_set():
            self._queue.put(self._sentinel)

    def get(self, timeout: float | None = None) -> SessionEvent | None:
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        return None if item is self._sentinel else item

    def iter(self, timeout: float | None = None) -> Iterator[SessionEvent]:
        while True:
            event = self.get(timeout=timeout)
            if event is not None:
                yield event
            elif self._closed.is_set():
                return

    @property
    def closed(self) -> bool:
        return self._closed.is_set()


class _OutputCapture(io.TextIOBase):
    """Stands in for sys.stdout/stderr during a job: each line (split on \\r and \\n) becomes an event."""

    def __init__(self, stream_name: str, emit_line, console: io.TextIOBase | None = None, *,
                 console_isatty: bool = True) -> None:
        self._stream_name = stream_name
        self._emit_line = emit_line
        self._console = console
        self._console_isatty = bool(console_isatty)
        self._buffer = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return str(getattr(self._console, "encoding", "utf-8"))

    def isatty(self) -> bool:
        return self._console_isatty

    def write(self, text: str) -> int:
        if not text:
            return 0
        if self._console is not None:
            self._console.write(text)
        for line in self._take_lines(text, flush_all=False):
            self._emit_line(self._stream_name, line)
        return len(text)

    def flush(self) -> None:
        if self._console is not None:
            self._console.flush()
        for line in self._take_lines("", flush_all=True):
            self._emit_line(self._stream_name, line)

    def _take_lines(self, text: str, flush_all: bool) -> list[str]:
        with self._lock:
            parts = re.split(r"[\r\n]", self._buffer + text)
            self._buffer = parts.pop()
            if flush_all and self._buffer:
                parts.append(self._buffer)
                self._buffer = ""
        return [part for part in parts if part]


@dataclass(frozen=True)
class _WanGPRuntime:
    module: Any
    root: Path
    config_path: Path
    cli_args: tuple[str, ...]


class SessionJob:
    def __init__(self, session: "WanGPSession") -> None:
        self._session = session
        self._callbacks: object | None = None
        self.events = SessionStream()
        self._done = threading.Event()
        self._cancel_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._result: GenerationResult | None = None

    def _bind_thread(self, thread: threading.Thread) -> None:
        self._thread = thread

    def _bind_callbacks(self, callbacks: object | None) -> None:
        self._callbacks = callbacks

    def _set_result(self, result: GenerationResult) -> None:
        self._result = result
        self._done.set()

    def release_output_payload(self) -> None:
        self._result = None
        self.events.clear()

    def cancel(self) -> None:
        """Ask the job to stop; it notices between steps (cooperative, like WanGP's abort flag)."""
        self._cancel_requested.set()

    def result(self, timeout: float | None = None) -> GenerationResult:
        if not self._done.wait(timeout=timeout):
            raise TimeoutError("WanGP session job timed out")
        return self._result or GenerationResult(
            success=False, generated_files=[], errors=[], total_tasks=0, successful_tasks=0, failed_tasks=0
        )

    def join(self, timeout: float | None = None) -> GenerationResult:
        return self.result(timeout=timeout)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel_requested.is_set()


class WanGPSession:
    def __init__(
        self,
        *,
        root: str | os.PathLike[str] | None = None,
        config_path: str | os.PathLike[str] | None = None,
        output_dir: str | os.PathLike[str] | None = None,
        callbacks: object | None = None,
        cli_args: Sequence[str] = (),
        console_output: bool = True,
        console_isatty: bool = True,
        webui_state: dict[str, Any] | None = None,
    ) -> None:
        if webui_state is not None:
            raise ValueError("The WanGP test double has no WebUI queue mode (webui_state)")
        self._root = Path(root or Path(__file__).resolve().parents[1]).resolve()
        self._config_path = (
            Path(config_path).resolve() if config_path is not None else (self._root / "wgp_config.json").resolve()
        )
        self._output_dir = Path(output_dir).resolve() if output_dir is not None else None
        self._callbacks = callbacks
        self._cli_args = tuple(str(arg) for arg in cli_args)
        self._console_output = bool(console_output)
        self._console_isatty = bool(console_isatty)
        self._state = self._create_headless_state()
        self._active_job: SessionJob | None = None
        self._job_lock = threading.Lock()

    def ensure_ready(self) -> "WanGPSession":
        self._ensure_runtime()
        return self

    # --- catalog ---
    def list_model_defs(self, **filters: Any) -> list[dict[str, Any]]:
        runtime = self._ensure_runtime()
        with _pushd(runtime.root):
            return runtime.module.list_model_defs(**filters)

    def get_model_defs(self, **filters: Any) -> list[dict[str, Any]]:
        return self.list_model_defs(**filters)

    def list_model_metadata(self, include_availability: bool = False, **filters: Any) -> list[dict[str, Any]]:
        records = []
        for model_def in self.list_model_defs(**filters):
            record = copy.deepcopy(model_def.get("metadata", {}))
            record.setdefault("model_type", str(model_def.get("model_type") or ""))
            record["name"] = model_def.get("name", record["model_type"])
            records.append(record)
        if include_availability:
            for record in records:
                record["availability"] = self._availability(record["model_type"])
        return records

    def get_model_def(self, model_type: str) -> dict[str, Any] | None:
        runtime = self._ensure_runtime()
        with _pushd(runtime.root):
            model_def = runtime.module.get_model_def(model_type)
        if model_def is None:
            return None
        model_def = copy.deepcopy(model_def)
        model_def["model_type"] = str(model_type)
        return model_def

    def get_model_metadata(self, model_type: str, include_availability: bool = False) -> dict[str, Any] | None:
        model_def = self.get_model_def(model_type)
        if model_def is None:
            return None
        record = copy.deepcopy(model_def.get("metadata", {}))
        record.setdefault("model_type", str(model_type))
        record["name"] = model_def.get("name", record["model_type"])
        if include_availability:
            record["availability"] = self.get_model_availability(model_type)
        return record

    def get_model_settings(self, model_type: str, setting_id: str | None = None) -> dict[str, Any]:
        """The model's named settings (presets, accelerator profiles, the user's saved ones) or one's content."""
        from .fake_profile import current

        model_def = self.get_model_def(model_type)
        if model_def is None:
            raise ValueError(f"Unknown model_type: {model_type}")
        family = str(model_def.get("metadata", {}).get("family", ""))
        presets = current()["presets"].get(family, {})
        entries = [{"id": preset_id, "type": "preset"} for preset_id in presets]
        if setting_id is None:
            return {"model_type": str(model_type), "settings": entries}
        if setting_id not in presets:
            raise ValueError(f"Unknown setting_id for {model_type}: {setting_id}")
        return {"model_type": str(model_type), "id": setting_id, "type": "preset",
                "content": copy.deepcopy(presets[setting_id])}

    def get_default_settings(self, model_type: str) -> dict[str, Any]:
        if self.get_model_def(model_type) is None:
            raise ValueError(f"Unknown model_type: {model_type}")
        runtime = self._ensure_runtime()
        with _pushd(runtime.root):
            settings = copy.deepcopy(runtime.module.get_default_settings(model_type))
        settings["model_type"] = str(model_type)
        return settings

    def get_model_availability(self, model_type: str) -> dict[str, Any]:
        if self.get_model_def(model_type) is None:
            raise ValueError(f"Unknown model_type: {model_type}")
        return self._availability(model_type)

    def list_model_availability(self, **filters: Any) -> list[dict[str, Any]]:
        return [self._availability(record["model_type"]) for record in self.list_model_metadata(**filters)]

    def _availability(self, model_type: str) -> dict[str, Any]:
        runtime = self._ensure_runtime()
        with _pushd(runtime.root):
            available = runtime.module.is_model_available(model_type)
        return {
            "model_type": str(model_type),
            "status": "available" if available else "missing",
            "status_code": 2 if available else 0,
            "indicator": "blue_square" if available else "black_square",
            "available": available,
        }

    def get_model_schema(self, model_type: str) -> dict[str, Any] | None:
        model_def = self.get_model_def(model_type)
        if model_def is None:
            return None
        runtime = self._ensure_runtime()
        with _pushd(runtime.root):
            metadata = runtime.module.get_schema_metadata(model_type)
        return {
            "model_type": str(model_type),
            "name": model_def.get("name", str(model_type)),
            "model_def": model_def,
            "metadata": metadata,
            "setting_values": copy.deepcopy(metadata.get("setting_values", {})),
            "default_settings": self.get_default_settings(model_type),
        }

    # --- jobs ---
    def submit(self, source: str | os.PathLike[str] | dict[str, Any] | list[dict[str, Any]],
               callbacks: object | None = None) -> SessionJob:
        base = self._get_caller_base_path()
        if isinstance(source, (str, os.PathLike)):
            raw = self._load_settings_file(Path(source) if Path(source).is_absolute() else base / source)
        elif isinstance(source, dict) and isinstance(source.get("tasks"), list):
            raw = source["tasks"]
        elif isinstance(source, dict):
            raw = [source]
        elif isinstance(source, list):
            raw = source
        else:
            raise TypeError("WanGP session source must be a path, a settings dict, or a manifest list")
        tasks = [
            self._absolutize_task_paths(self._normalize_task(task, task_index=index + 1), base)
            for index, task in enumerate(raw)
        ]
        return self._submit_tasks(tasks, callbacks=callbacks)

    def submit_task(self, settings: dict[str, Any], callbacks: object | None = None) -> SessionJob:
        base = self._get_caller_base_path()
        task = self._normalize_task(settings, task_index=1)
        return self._submit_tasks([self._absolutize_task_paths(task, base)], callbacks=callbacks)

    def submit_media_postprocessing(self, media_source: str | os.PathLike[str], *, temporal_upsampling: str = "",
                                    spatial_upsampling: str = "", film_grain_intensity: float = 0,
                                    film_grain_saturation: float = 0.5, seed: int = -1,
                                    api_options: dict[str, Any] | None = None, return_media: bool = False,
                                    callbacks: object | None = None, **settings_overrides: Any) -> SessionJob:
        """Late post-processing of an image or video: an edit task through the same queue as generation."""
        from .fake_postprocess import build_settings

        settings = build_settings(media_source, temporal_upsampling=temporal_upsampling,
                                  spatial_upsampling=spatial_upsampling, film_grain_intensity=film_grain_intensity,
                                  film_grain_saturation=film_grain_saturation, seed=seed, api_options=api_options,
                                  return_media=return_media, **settings_overrides)
        return self.submit_task(settings, callbacks=callbacks)

    def submit_manifest(self, settings_list: list[dict[str, Any]], callbacks: object | None = None) -> SessionJob:
        base = self._get_caller_base_path()
        tasks = [
            self._absolutize_task_paths(self._normalize_task(settings, task_index=index + 1), base)
            for index, settings in enumerate(settings_list)
        ]
        return self._submit_tasks(tasks, callbacks=callbacks)

    def run(self, source: str | os.PathLike[str] | dict[str, Any] | list[dict[str, Any]],
            callbacks: object | None = None) -> GenerationResult:
        return self.submit(source, callbacks=callbacks).result()

    def run_task(self, settings: dict[str, Any], callbacks: object | None = None) -> GenerationResult:
        return self.submit_task(settings, callbacks=callbacks).result()

    def run_manifest(self, settings_list: list[dict[str, Any]], callbacks: object | None = None) -> GenerationResult:
        return self.submit_manifest(settings_list, callbacks=callbacks).result()

    def close(self) -> None:
        """Release the loaded model (waits for a running job); the runtime stays loaded."""
        runtime = self._ensure_runtime()
        with _GENERATION_LOCK, _pushd(runtime.root):
            runtime.module.release_model()

    def cancel(self) -> None:
        with self._job_lock:
            job = self._active_job
        if job is not None:
            job.cancel()

    @staticmethod
    def _create_headless_state() -> dict[str, Any]:
        return {
            "model_type": "",
            "gen": {
                "queue": [],
                "in_progress": False,
                "file_list": [],
                "file_settings_list": [],
                "audio_file_list": [],
                "audio_file_settings_list": [],
                "prompt_no": 0,
                "prompts_max": 0,
                "progress_status": "",
                "process_status": "process:main",
                "api_output_artifacts": {},
            },
            "loras": [],
        }

    def _submit_tasks(self, tasks: list[dict[str, Any]], callbacks: object | None = None) -> SessionJob:
        from .api_cli import run_cli_job

        with self._job_lock:
            if self._active_job is not None and not self._active_job.done:
                raise RuntimeError("WanGP session already has a generation in progress")
            job = SessionJob(self)
            job._bind_callbacks(self._callbacks if callbacks is None else callbacks)
            prepared = copy.deepcopy(tasks)
            self._ensure_task_client_ids(prepared)
            thread = threading.Thread(target=run_cli_job, args=(self, job, prepared), daemon=True,
                                      name="wangp-session-job")
            job._bind_thread(thread)
            self._active_job = job
            _LIVE_JOBS.add(job)
            thread.start()
            return job

    @staticmethod
    def _ensure_task_client_ids(tasks: list[dict[str, Any]]) -> None:
        client_seed = time.time_ns()
        for index, task in enumerate(tasks, start=1):
            params = task["params"]
            if not str(params.get("client_id", "") or "").strip():
                params["client_id"] = f"api_{client_seed}_{index}"

    def _emit_stream(self, job: SessionJob, stream_name: str, line: str) -> None:
        message = StreamMessage(stream=stream_name, text=line)
        job.events.put("stream", message)
        self._emit_callback("on_stream", message, job=job)

    def _emit_callback(self, method_name: str, payload: Any, *, job: SessionJob | None = None) -> None:
        callback = self._callbacks if job is None or job._callbacks is None else job._callbacks
        if callback is None:
            return
        method = getattr(callback, method_name, None)
        if callable(method):
            method(payload)
        on_event = getattr(callback, "on_event", None)
        if callable(on_event):
            on_event(SessionEvent(kind=method_name.removeprefix("on_"), data=payload))

    def _configure_runtime(self, runtime: _WanGPRuntime) -> None:
        module = runtime.module
        module.server_config["notification_sound_enabled"] = 0
        if self._output_dir is not None:
            for key in ("save_path", "image_save_path", "audio_save_path"):
                module.server_config[key] = str(self._output_dir)
                setattr(module, key, str(self._output_dir))
        for output_path in (module.save_path, module.image_save_path, module.audio_save_path):
            Path(output_path).mkdir(parents=True, exist_ok=True)

    def _prepare_state_for_run(self, tasks: list[dict[str, Any]]) -> None:
        gen = self._state["gen"]
        gen.update(queue=tasks, progress_status="", abort=False, in_progress=True)
        self._ensure_runtime().module.gen_in_progress = True

    def _reset_state_after_run(self) -> None:
        gen = self._state["gen"]
        gen.update(queue=[], progress_status="", abort=False)
        gen.pop("in_progress", None)
        self._ensure_runtime().module.gen_in_progress = False

    def _collect_outputs(self, base_file_count: int, base_audio_count: int) -> list[str]:
        gen = self._state["gen"]
        files = [*gen["file_list"][base_file_count:], *gen["audio_file_list"][base_audio_count:]]
        return [str(Path(path).resolve()) for path in files]

    def _consume_output_artifacts(self, tasks: Sequence[dict[str, Any]]) -> tuple[GeneratedArtifact, ...]:
        artifacts = self._state["gen"]["api_output_artifacts"]
        found = []
        for task in tasks:
            client_id = str(task["params"].get("client_id", ""))
            artifact = GeneratedArtifact.from_payload(artifacts.pop(client_id, None), default_client_id=client_id)
            if artifact is not None:
                found.append(artifact)
        return tuple(found)

    def _normalize_task(self, task: dict[str, Any], *, task_index: int) -> dict[str, Any]:
        if not isinstance(task, dict):
            raise TypeError(f"Task {task_index} must be a dictionary")
        normalized = copy.deepcopy(task)
        if "settings" in normalized and "params" not in normalized:
            normalized["params"] = normalized.pop("settings")
        if "params" not in normalized:
            normalized = {"id": task_index, "params": normalized, "plugin_data": {}}
        normalized.setdefault("id", task_index)
        if not isinstance(normalized.get("plugin_data"), dict):
            normalized["plugin_data"] = {}
        settings = normalized["params"]
        api_options = settings.pop("_api", None)
        if isinstance(api_options, dict):
            normalized["plugin_data"]["api"] = copy.deepcopy(api_options)
        settings.setdefault("settings_version", self._ensure_runtime().module.settings_version)
        force_fps = settings.get("force_fps")
        if isinstance(force_fps, (int, float)) and not isinstance(force_fps, bool):
            settings["force_fps"] = str(int(force_fps)) if float(force_fps).is_integer() else str(force_fps)
        normalized.setdefault("prompt", settings.get("prompt", ""))
        normalized.setdefault("length", settings.get("video_length"))
        normalized.setdefault("steps", settings.get("num_inference_steps"))
        normalized.setdefault("repeats", settings.get("repeat_generation", 1))
        return normalized

    @staticmethod
    def _load_settings_file(path: Path) -> list[dict[str, Any]]:
        if path.suffix.lower() != ".json":
            raise ValueError(f"The WanGP test double only reads .json settings files, not {path.name}")
        with path.open(encoding="utf-8") as handle:
            payload = json.load(handle)
        if isinstance(payload, list):
            return payload
        if isinstance(payload, dict) and isinstance(payload.get("tasks"), list):
            return payload["tasks"]
        if isinstance(payload, dict):
            return [payload]
        raise RuntimeError("Settings file must contain a JSON object or a list of tasks")

    @staticmethod
    def _get_caller_base_path() -> Path:
        return Path.cwd().resolve()

    def _absolutize_task_paths(self, task: dict[str, Any], caller_base_path: Path) -> dict[str, Any]:
        """Resolve relative attachment paths against the caller's cwd now, before the job moves cwd."""
        settings = task["params"]
        for key in self._ensure_runtime().module.ATTACHMENT_KEYS:
            if key in settings:
                settings[key] = self._absolutize_setting_path(settings[key], caller_base_path)
        return task

    def _absolutize_setting_path(self, value: Any, base: Path) -> Any:
        if isinstance(value, list):
            return [self._absolutize_setting_path(item, base) for item in value]
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if not isinstance(value, str) or not value.strip():
            return value
        path = Path(value)
        return str(path.resolve() if path.is_absolute() else (base / path).resolve())

    @staticmethod
    def _make_generation_error(error: Any, *, task_index: int | None = None, task_id: Any = None,
                               stage: str | None = None) -> GenerationError:
        if isinstance(error, GenerationError):
            return error
        message = (str(error) or error.__class__.__name__) if isinstance(error, BaseException) else str(error)
        return GenerationError(message=message, task_index=task_index, task_id=task_id, stage=stage)

    def _ensure_runtime(self) -> _WanGPRuntime:
        global _RUNTIME
        with _RUNTIME_LOCK:
            if _RUNTIME is not None:
                if (_RUNTIME.root, _RUNTIME.config_path, _RUNTIME.cli_args) != (
                    self._root, self._config_path, self._cli_args
                ):
                    raise RuntimeError("WanGP runtime already loaded with different root/config/cli args")
                _play_profile(_RUNTIME.module)
                return _RUNTIME
            argv = ["wgp.py", *self._cli_args]
            if self._config_path.name != "wgp_config.json":
                raise ValueError("config_path must point to a file named 'wgp_config.json'")
            if self._config_path != (self._root / "wgp_config.json").resolve():
                self._config_path.parent.mkdir(parents=True, exist_ok=True)
                if "--config" not in argv:
                    argv.extend(["--config", str(self._config_path.parent)])
            if str(self._root) not in sys.path:
                sys.path.insert(0, str(self._root))
            with _pushd(self._root), _temporary_argv(argv):
                module = importlib.import_module("wgp")
                module_root = Path(module.__file__).resolve().parent
                if module_root != self._root:
                    raise RuntimeError(f"WanGP module already loaded from {module_root}, expected {self._root}")
            _RUNTIME = _WanGPRuntime(module=module, root=self._root, config_path=self._config_path,
                                     cli_args=self._cli_args)
            _play_profile(module)
            _print_banner_once(module, enabled=self._console_output)
            return _RUNTIME


def _play_profile(module: Any) -> None:
    """The release the double plays (``fake_profile``) may change between sessions of one process: its version
    is set whenever the runtime is reached (the real one is fixed per install)."""
    from .fake_profile import current

    module.WanGP_version = current()["version"]


def _normalize_phase(text: str | None) -> str:
    lowered = extract_status_phase_label(text).lower()
    if lowered.startswith("loading") or "loading model" in lowered:
        return "loading_model"
    if "encoding" in lowered:
        return "encoding_text"
    if "decoding" in lowered:
        return "decoding"
    if "saved" in lowered or "completed" in lowered or "output" in lowered:
        return "downloading_output"
    if "cancel" in lowered or "abort" in lowered:
        return "cancelled"
    return "inference"


#: Percentages WanGP reports for a phase without step counts.
_PHASE_PROGRESS = {"loading_model": 10, "encoding_text": 18, "decoding": 90, "downloading_output": 95, "cancelled": 0}


def build_progress_update(data: Any) -> ProgressUpdate:
    """A ProgressUpdate from WanGP's ``progress`` command: ``[(step, total), status]`` or ``[0, status]``."""
    head, status = data[0], str(data[1] if len(data) > 1 else "")
    phase = _normalize_phase(status)
    current, total = head if isinstance(head, tuple) and phase == "inference" else (None, None)
    if current is None or not total:
        progress = _PHASE_PROGRESS.get(phase, 15)
    else:
        progress = min(90, 20 + int(max(0.0, min(1.0, current / total)) * 65))
    return ProgressUpdate(phase=phase, status=status, progress=progress, current_step=current, total_steps=total,
                          raw_phase=extract_status_phase_label(status) or None)


def init(
    *,
    root: str | os.PathLike[str] | None = None,
    config_path: str | os.PathLike[str] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    callbacks: object | None = None,
    cli_args: Sequence[str] = (),
    console_output: bool = True,
    console_isatty: bool = True,
    webui_state: dict[str, Any] | None = None,
) -> WanGPSession:
    """Create and eagerly initialize a reusable WanGP session."""
    return WanGPSession(
        root=root,
        config_path=config_path,
        output_dir=output_dir,
        callbacks=callbacks,
        cli_args=cli_args,
        console_output=console_output,
        console_isatty=console_isatty,
        webui_state=webui_state,
    ).ensure_ready()


def _reset_for_tests(timeout: float = 10.0) -> None:
    """Test-only: stop live jobs and forget the runtime, so the next ``init()`` imports ``wgp`` afresh."""
    global _RUNTIME, _BANNER_PRINTED
    for job in list(_LIVE_JOBS):
        job.cancel()
        if job._thread is not None:
            job._thread.join(timeout)
    with _RUNTIME_LOCK:
        _RUNTIME = None
        _BANNER_PRINTED = False
        sys.modules.pop("wgp", None)


@contextlib.contextmanager
def _pushd(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _temporary_argv(argv: Sequence[str]) -> Iterator[None]:
    previous = list(sys.argv)
    sys.argv = list(argv)
    try:
        yield
    finally:
        sys.argv = previous


def _print_banner_once(module: Any, *, enabled: bool = True) -> None:
    global _BANNER_PRINTED
    if not enabled or _BANNER_PRINTED:
        return
    _BANNER_PRINTED = True
    console = sys.__stdout__ if sys.__stdout__ is not None else sys.stdout
    if console is not None:
        console.write(f"Powered by WanGP v{module.WanGP_version} - a DeepBeepMeep Production\n")
        console.flush()
