"""The one session host of this Blender session, and a cached view of it for panels.

``ensure_host`` starts WanGP when it is configured (preferences or ``WANGP_*`` variables), else the
layout animatic, so Generate works on any machine. Everything panels read (``view``, ``catalog``,
``templates``) is cached here and updated by the pump and the operators; nothing in it does I/O.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import bpy

from .. import preferences
from ..wangp_backend.bridge import python_env
from ..wangp_backend.bridge.mode import choose_mode
from ..wangp_backend.catalog import ModelCatalog
from ..wangp_backend.farm.wire import PathMap
from ..wangp_backend.hosts.api import Host, WorkersView
from ..wangp_backend.hosts.bridge import BridgeHost
from ..wangp_backend.hosts.farm import FarmHost
from ..wangp_backend.hosts.in_process import SessionHost
from ..wangp_backend.locate import StartError, check_install
from ..wangp_backend.messages import SessionState
from ..wangp_backend.requests import SessionConfig
from ..wangp_backend.toolkit import TemplateLibrary, load_templates
from . import animatic, batches, guides, jobs, log, paths, stills, timer

ANIMATIC_REASON = "WanGP is not set up: Generate renders the layout with Blender (an animatic, not AI)"


class SetupError(Exception):
    """WanGP is configured but cannot be started; the message says why in one line."""


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
    #: "in_process" | "bridge" | "farm" | "animatic" | "" (no host)
    mode: str = ""
    mode_reason: str = ""
    vram_gb: float = 0.0
    busy: bool = False
    queued: int = 0
    #: the farm's workers and queue (farm mode only)
    farm: WorkersView | None = None


_host: Host | None = None
_state: SessionState = SessionState(state="stopped", mode="")
_catalog: ModelCatalog | None = None
_templates: TemplateLibrary | None = None
_setup_problem = ""
_mode_reason = ""
_awaiting_catalog = False
_measured_vram_gb = 0.0
#: Jobs kept at the last automatic restart of a crashed bridge child (None: none since the last click).
_restart_kept: frozenset[str] | None = None


def get_host() -> Host | None:
    return _host


def view() -> SessionView:
    mode = _host.mode if _host is not None else ""
    reason = _mode_reason if _host is not None else (_setup_problem or "")
    return SessionView(
        state=_state.state,
        message=_state.message,
        hint=_state.hint,
        wangp_version=_state.wangp_version,
        wangp_commit=_state.wangp_commit,
        # The animatic has no AI models; the WanGP catalog kept from an earlier session is not in use.
        model_count=len(_catalog) if _catalog is not None and mode != "animatic" else 0,
        available_count=len(_catalog.available()) if _catalog is not None and mode != "animatic" else 0,
        mode=mode,
        mode_reason=reason,
        vram_gb=_measured_vram_gb,
        busy=bool(_host is not None and _host.busy) or bool(jobs.pending()),
        queued=jobs.count(),
        farm=_host.view if isinstance(_host, FarmHost) else None,
    )


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
        if message.mode != "animatic":
            _catalog = ModelCatalog.from_records(message.models)
        _awaiting_catalog = False
    if message.state in ("failed", "stopped"):
        _awaiting_catalog = False
    if message.state == "failed":
        log.write(f"Session failed: {message.message} {message.hint}".rstrip())
        if message.mode == "bridge":
            # The pump applied the crashed job's Failed before this state: what is left was kept.
            _after_bridge_crash(frozenset(record.job_id for record in jobs.submitted()))
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


def _wangp_config(setup: preferences.WanGPSetup) -> SessionConfig:
    return SessionConfig(
        wangp_root=setup.root,
        site_packages=setup.site_packages,
        cli_args=setup.args,
        output_dir=paths.user_folder("wangp_outputs"),
        offline=not bpy.app.online_access,
    )


@dataclass(frozen=True)
class _Plan:
    """How WanGP would run: in Blender's process or through the bridge, and why."""

    mode: str
    reason: str
    python: str
    problem: str


_versions: dict[str, str | None] = {}


def _python_version(python: str) -> str | None:
    # Asking an interpreter its version starts a process: once per path is enough.
    if python not in _versions:
        _versions[python] = python_env.python_version(python)
    return _versions[python]


def _farm_plan(setup: preferences.WanGPSetup) -> _Plan:
    reason = f"Run WanGP is set to Farm: shots go to the farm at {setup.farm_url or '(no URL)'}"
    if not setup.farm_url:
        return _Plan("farm", reason, "", "Run WanGP is set to Farm but no Farm URL is set: set it in the add-on "
                                         "preferences (bash tools/farm.sh up prints it)")
    if not setup.farm_token:
        return _Plan("farm", reason, "", "The farm needs its token: set Farm Token in the add-on preferences")
    try:
        PathMap.parse(setup.farm_path_map)
    except ValueError as exc:
        return _Plan("farm", reason, "", f"Shared Paths cannot be read: {exc}")
    return _Plan("farm", reason, "", "")


def _plan(setup: preferences.WanGPSetup) -> _Plan:
    if setup.farm:
        return _farm_plan(setup)
    if setup.args_error:
        return _Plan("", "", "", f"{setup.args_error}. Fix them in the add-on preferences (or WANGP_ARGS).")
    python = setup.python or (python_env.find_python(setup.site_packages) if setup.site_packages else None) or ""
    env_version = _python_version(python) if python else None
    running = python_env.running_version()
    mode, reason = choose_mode(setup.host_mode, env_version, running)
    if mode == "bridge" and not python:
        return _Plan(mode, reason, "", "No Python interpreter was found in WanGP's environment: "
                     "set WanGP Python in the add-on preferences")
    # The bridge loads WanGP's packages into WanGP's own Python, so the layout check is made for that one.
    version = env_version if mode == "bridge" and env_version else running
    try:
        check_install(_wangp_config(setup), running=tuple(int(p) for p in version.split(".")[:2]))
    except StartError as exc:
        return _Plan(mode, reason, python, f"{exc.message} {exc.hint}".rstrip())
    return _Plan(mode, reason, python, "")


def setup_problem(context: bpy.types.Context | None = None) -> str:
    """Why the configured WanGP cannot start ("" when it can, or when none is configured)."""
    global _setup_problem
    setup = preferences.wangp_setup(context)
    problem = _plan(setup).problem if setup.configured else ""
    _setup_problem = problem or ("" if setup.configured else ANIMATIC_REASON)
    return problem


def ensure_host(context: bpy.types.Context | None = None) -> Host:
    """The running host, starting one if needed: WanGP when configured, else the layout animatic.

    Raises :class:`SetupError` when WanGP is configured but cannot start (never falls back to the
    animatic silently: the user asked for WanGP).
    """
    global _host, _state, _mode_reason, _setup_problem, _restart_kept
    if _host is not None and _state.state != "failed":
        return _host
    # The user asks again: a crash loop guard from an earlier failure no longer applies.
    _restart_kept = None
    setup = preferences.wangp_setup(context)
    plan = _plan(setup) if setup.configured else None
    if _host is not None and plan is not None and not plan.problem and _restartable(_host, setup, plan):
        # Its process ended but nothing about it changed: a new process takes the jobs it kept.
        return _restart(_host, "restarting WanGP's process")
    if _host is not None:
        # It failed to start; the user may have fixed the preferences since: start afresh.
        stop(context, timeout=5.0)
    if plan is not None:
        _setup_problem = plan.problem
        if plan.problem:
            _state = SessionState(state="failed", message=plan.problem, mode="")
            raise SetupError(plan.problem)
        if plan.mode == "farm":
            host: Host = FarmHost(setup.farm_url, setup.farm_token, path_map=setup.farm_path_map)
        elif plan.mode == "bridge":
            host = BridgeHost(_wangp_config(setup), plan.python)
        else:
            host = SessionHost(_wangp_config(setup))
        # Which interpreter runs the bridge is the first thing to check when it will not start.
        _mode_reason = f"{plan.reason} ({plan.python})" if plan.mode == "bridge" else plan.reason
    else:
        host = animatic.make_host()
        _mode_reason = _setup_problem = ANIMATIC_REASON
    _state = SessionState(state="starting", mode=host.mode)
    _host = host
    host.start()
    log.write(f"Session starting ({host.mode}): {_mode_reason}")
    timer.ensure_timer()
    return host


def _restartable(host: Host, setup: preferences.WanGPSetup, plan: _Plan) -> bool:
    """A bridge host whose child is gone, configured exactly as the preferences say now."""
    return (
        isinstance(host, BridgeHost)
        and host.pid is None
        and plan.mode == "bridge"
        and host.python == plan.python
        and host.config == _wangp_config(setup)
    )


def _restart(host: BridgeHost, why: str) -> BridgeHost:
    global _state
    # Said here, not by the child: until its host speaks, the view must not read "failed" (that
    # would make the next click stop this host and drop the jobs it keeps).
    _state = SessionState(state="starting", message=why, mode=host.mode, wangp_version=_state.wangp_version,
                          wangp_commit=_state.wangp_commit)
    host.start()
    log.write(f"Session: {why}")
    timer.ensure_timer()
    return host


def _after_bridge_crash(kept: frozenset[str]) -> None:
    """Run the jobs a crashed bridge child kept, once per crash, and never in a loop.

    A new child is started only when the crashes make progress: some job kept at the last automatic
    restart has ended since. Otherwise (it died again before running any of them) the kept jobs are
    cancelled, so nothing waits for them forever.
    """
    global _restart_kept
    host = _host
    if not isinstance(host, BridgeHost) or host.pid is not None or not kept:
        return
    if _restart_kept is None or not _restart_kept <= kept:
        _restart_kept = kept
        _restart(host, f"restarting WanGP's process for {len(kept)} queued job(s)")
        return
    log.write(f"WanGP's process ended again before running any of the {len(kept)} queued job(s): they are cancelled")
    host.cancel_all()


def stop(context: bpy.types.Context | None = None, timeout: float = 30.0) -> None:
    """Cancel every job, close the host and apply its last messages (shots end up cancelled)."""
    global _host, _state
    # Imported here: the pump applies messages and itself reads this module's state.
    from . import pump

    host = _host
    # Batch items still waiting go first, or the end of a cancelled job would release them into the queue.
    batches.cancel_all_waiting()
    pump.cancel_pending("the session was stopped")
    guides.stop()
    stills.stop()
    animatic.forget()
    if host is not None:
        host.close(timeout=timeout)
        # Gone before its last messages are applied: a crash among them must not restart it.
        _host = None
        pump.apply_messages(host.drain())
        log.write("Session stopped")
    pump.abandon_submitted("the session was stopped")
    _state = SessionState(state="stopped", mode="")
    if not pump.busy():
        timer.stop_timer()


def forget_state() -> None:
    """Reset the cached state (used when the add-on is unregistered)."""
    global _state, _catalog, _templates, _setup_problem, _mode_reason, _awaiting_catalog, _restart_kept
    _state = SessionState(state="stopped", mode="")
    _restart_kept = None
    _awaiting_catalog = False
    _catalog = None
    _templates = None
    _setup_problem = ""
    _mode_reason = ""
