"""The one session host of this Blender session as panels see it: a cached view, no I/O.

Which host runs is chosen in :mod:`.host_choice` and started or stopped by :mod:`.lifecycle`; the pump
feeds the host's ``SessionState`` messages in here (``note_state``). Everything panels read (``view``,
``catalog``, ``templates``) is cached here; nothing in it does I/O (templates are read again only when
asked, by an operator or a preference change).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import bpy

from .. import preferences
from ..wangp_backend.catalog import ModelCatalog
from ..wangp_backend.hosts.api import Capabilities, Host, RemoteHost, WorkersView
from ..wangp_backend.messages import SessionState
from ..wangp_backend.toolkit import TemplateLibrary, load_templates
from . import jobs, log, timer


@dataclass(frozen=True)
class SessionView:
    state: str = "stopped"
    message: str = ""
    hint: str = ""
    wangp_version: str = ""
    #: the git commit of a WanGP checkout ("" otherwise)
    wangp_commit: str = ""
    model_count: int = 0
    available_count: int = 0
    #: "in_process" | "bridge" | "farm" | "animatic" | "" (no host): a name to show
    mode: str = ""
    mode_reason: str = ""
    vram_gb: float = 0.0
    busy: bool = False
    queued: int = 0
    #: the farm's workers and queue (a remote host only)
    farm: WorkersView | None = None


_host: Host | None = None
#: What the last host could do: kept after it stopped, for its last messages (applied once it is gone).
_capabilities = Capabilities()
_state: SessionState = SessionState(state="stopped", mode="")
_catalog: ModelCatalog | None = None
_templates: TemplateLibrary | None = None
_setup_problem = ""
_mode_reason = ""
_awaiting_catalog = False
_measured_vram_gb = 0.0


def get_host() -> Host | None:
    return _host


def adopt(host: Host, reason: str) -> None:
    """``host`` is the session's host from now on (it is starting; ``reason`` says why this one)."""
    global _host, _capabilities, _mode_reason, _state
    _host, _capabilities, _mode_reason = host, host.capabilities, reason
    _state = SessionState(state="starting", mode=host.mode)


def drop_host() -> None:
    """Forget the host (it was closed); its last messages still reach ``note_state``."""
    global _host
    _host = None


def capabilities() -> Capabilities:
    """What the session's host can do; with none running, what the last one could (one WanGP job at a time
    before any)."""
    return _host.capabilities if _host is not None else _capabilities


def set_state(state: SessionState) -> None:
    """The session's state as said by the Blender side (a start refused, a restart, a stop)."""
    global _state
    _state = state


def state() -> SessionState:
    return _state


def set_setup_problem(problem: str) -> None:
    global _setup_problem
    _setup_problem = problem


def view() -> SessionView:
    mode = _host.mode if _host is not None else ""
    reason = _mode_reason if _host is not None else (_setup_problem or "")
    # A host without WanGP (the animatic) has no AI models: the catalog kept from an earlier session is not in use.
    wangp = _host is None or _host.capabilities.needs_wangp
    return SessionView(
        state=_state.state,
        message=_state.message,
        hint=_state.hint,
        wangp_version=_state.wangp_version,
        wangp_commit=_state.wangp_commit,
        model_count=len(_catalog) if _catalog is not None and wangp else 0,
        available_count=len(_catalog.available()) if _catalog is not None and wangp else 0,
        mode=mode,
        mode_reason=reason,
        vram_gb=_measured_vram_gb,
        busy=bool(_host is not None and _host.busy) or bool(jobs.pending()),
        queued=jobs.count(),
        farm=_remote_view(_host),
    )


def _remote_view(host: Host | None) -> WorkersView | None:
    if host is None or not host.capabilities.remote:
        return None
    remote: RemoteHost = host  # type: ignore[assignment]  # remote hosts implement RemoteHost
    return remote.view


def catalog() -> ModelCatalog | None:
    """The last WanGP catalog (kept after the session stops, for panels and checks), None before any."""
    return _catalog


def templates() -> TemplateLibrary:
    global _templates
    if _templates is None:
        _templates = load_templates("")
    return _templates


def reload_templates(context: bpy.types.Context | None = None) -> TemplateLibrary:
    """Read the built-in and the user's templates again (the preference may point elsewhere now).

    Also called from ``register()``, where ``bpy.data`` may not be readable yet: a folder relative
    to the .blend (``//``) is only resolved later, by an operator.
    """
    global _templates
    prefs = preferences.get_prefs(context)
    folder = prefs.templates_dir if prefs else ""
    if folder.startswith("//"):
        folder = bpy.path.abspath(folder) if context is not None else ""
    _templates = load_templates(os.path.abspath(folder) if folder else "")
    if context is not None:
        for warning in _templates.warnings:
            log.write(f"Templates: {warning}")
    return _templates


def vram_gb(context: bpy.types.Context | None = None) -> float:
    """The preference when set, else what the session measured (0 = unknown)."""
    prefs = preferences.get_prefs(context)
    return prefs.vram_gb if prefs and prefs.vram_gb > 0 else _measured_vram_gb


def ready() -> bool:
    return _host is not None and _state.state == "ready"


def note_state(message: SessionState) -> None:
    """Apply a ``SessionState`` from the host (called by the pump)."""
    global _state, _catalog, _awaiting_catalog, _measured_vram_gb
    _state = message
    if message.vram_gb > 0:
        _measured_vram_gb = message.vram_gb
    if message.models:
        # Only WanGP's catalog is kept: the animatic's one model is no AI model to choose or check.
        if _capabilities.needs_wangp:
            _catalog = ModelCatalog.from_records(message.models)
        _awaiting_catalog = False
    if message.state in ("failed", "stopped"):
        _awaiting_catalog = False
    if message.state == "failed":
        log.write(f"Session failed: {message.message} {message.hint}".rstrip())
    elif message.state == "ready":
        where = f"WanGP {message.wangp_version}" if message.wangp_version else message.mode
        commit = f" at commit {message.wangp_commit}" if message.wangp_commit else ""
        log.write(f"Session ready ({message.mode}, {where}{commit}): {len(message.models)} models")


def refresh_models() -> None:
    """Ask the host for its catalog again; the pump keeps running until it arrives."""
    global _awaiting_catalog
    if _host is not None:
        _awaiting_catalog = True
        _host.refresh_models()
        timer.ensure_timer()


def awaiting() -> bool:
    """True while the session owes us something that is not a job (start-up, a catalog)."""
    return _host is not None and (_awaiting_catalog or _state.state in ("starting", "closing"))


def forget_state() -> None:
    """Reset the cached state (used when the add-on is unregistered)."""
    global _state, _catalog, _templates, _setup_problem, _mode_reason, _awaiting_catalog
    _state = SessionState(state="stopped", mode="")
    _awaiting_catalog = False
    _catalog = None
    _templates = None
    _setup_problem = ""
    _mode_reason = ""
