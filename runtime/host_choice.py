"""Which host runs the shots, chosen in one place, and its restart after its process crashed.

WanGP runs when it is configured (preferences or ``WANGP_*`` variables): in Blender's process, in a
bridge process (WanGP's Python differs from Blender's) or on a farm; else the layout animatic renders
the shots, so Generate works on any machine. Choosing reads the preferences and may ask an interpreter
its version; it never touches the session's jobs. :mod:`.lifecycle` starts and stops what is chosen here.
"""

from __future__ import annotations

from dataclasses import dataclass

import bpy

from .. import preferences
from ..wangp_backend.bridge import python_env
from ..wangp_backend.bridge.mode import choose_mode
from ..wangp_backend.farm.wire import PathMap
from ..wangp_backend.hosts.api import Host, ProcessHost
from ..wangp_backend.hosts.bridge import BridgeHost
from ..wangp_backend.hosts.farm import FarmHost
from ..wangp_backend.hosts.in_process import SessionHost
from ..wangp_backend.locate import StartError, check_install
from ..wangp_backend.messages import SessionState
from ..wangp_backend.requests import SessionConfig
from . import animatic, jobs, log, paths, session, timer

ANIMATIC_REASON = "WanGP is not set up: Generate renders the layout with Blender (an animatic, not AI)"


class SetupError(Exception):
    """WanGP is configured but cannot be started; the message says why in one line."""


@dataclass(frozen=True)
class Plan:
    """How WanGP would run: in Blender's process, through the bridge or on the farm, and why."""

    mode: str
    reason: str
    python: str
    problem: str
    #: what WanGP's host is made from (None for the farm)
    config: SessionConfig | None = None

    def same_host(self, other: Plan | None) -> bool:
        """A host made from ``other`` is the one this plan would make (it may take over its kept jobs)."""
        return other is not None and (self.mode, self.python, self.config) == (other.mode, other.python, other.config)


#: Jobs kept at the last automatic restart of a crashed host's process (None: none since the last click).
_restart_kept: frozenset[str] | None = None
#: The plan the running host was made from (None: the animatic, or no host).
_made_from: Plan | None = None
_versions: dict[str, str | None] = {}


def runs_animatic(context: bpy.types.Context | None = None) -> bool:
    """Shots are (or, before any session, will be) rendered as a layout animatic rather than by WanGP."""
    host = session.get_host()
    if host is not None:
        return host.capabilities.layout_animatic
    return not preferences.wangp_setup(context).configured


def _wangp_config(setup: preferences.WanGPSetup) -> SessionConfig:
    return SessionConfig(
        wangp_root=setup.root,
        site_packages=setup.site_packages,
        cli_args=setup.args,
        output_dir=paths.user_folder("wangp_outputs"),
        offline=not bpy.app.online_access,
    )


def _python_version(python: str) -> str | None:
    # Asking an interpreter its version starts a process: once per path is enough.
    if python not in _versions:
        _versions[python] = python_env.python_version(python)
    return _versions[python]


def _farm_plan(setup: preferences.WanGPSetup) -> Plan:
    reason = f"Run WanGP is set to Farm: shots go to the farm at {setup.farm_url or '(no URL)'}"
    if not setup.farm_url:
        return Plan("farm", reason, "", "Run WanGP is set to Farm but no Farm URL is set: set it in the add-on "
                                        "preferences (bash tools/farm.sh up prints it)")
    if not setup.farm_token:
        return Plan("farm", reason, "", "The farm needs its token: set Farm Token in the add-on preferences")
    try:
        PathMap.parse(setup.farm_path_map)
    except ValueError as exc:
        return Plan("farm", reason, "", f"Shared Paths cannot be read: {exc}")
    return Plan("farm", reason, "", "")


def _wangp_plan(setup: preferences.WanGPSetup) -> Plan:
    if setup.farm:
        return _farm_plan(setup)
    if setup.args_error:
        return Plan("", "", "", f"{setup.args_error}. Fix them in the add-on preferences (or WANGP_ARGS).")
    python = setup.python or (python_env.find_python(setup.site_packages) if setup.site_packages else None) or ""
    env_version = _python_version(python) if python else None
    running = python_env.running_version()
    mode, reason = choose_mode(setup.host_mode, env_version, running)
    if mode == "bridge" and python:
        # Which interpreter runs the bridge is the first thing to check when it will not start.
        reason = f"{reason} ({python})"
    if mode == "bridge" and not python:
        return Plan(mode, reason, "", "No Python interpreter was found in WanGP's environment: "
                    "set WanGP Python in the add-on preferences")
    # The bridge loads WanGP's packages into WanGP's own Python, so the layout check is made for that one.
    version = env_version if mode == "bridge" and env_version else running
    config = _wangp_config(setup)
    try:
        check_install(config, running=tuple(int(p) for p in version.split(".")[:2]))
    except StartError as exc:
        return Plan(mode, reason, python, f"{exc.message} {exc.hint}".rstrip(), config)
    return Plan(mode, reason, python, "", config)


def plan(context: bpy.types.Context | None = None) -> Plan | None:
    """How the configured WanGP would run, or None when none is configured (the layout animatic)."""
    setup = preferences.wangp_setup(context)
    return _wangp_plan(setup) if setup.configured else None


def setup_problem(context: bpy.types.Context | None = None) -> str:
    """Why the configured WanGP cannot start ("" when it can, or when none is configured)."""
    chosen = plan(context)
    problem = chosen.problem if chosen is not None else ""
    session.set_setup_problem(problem or ("" if chosen is not None else ANIMATIC_REASON))
    return problem


def start(chosen: Plan | None, context: bpy.types.Context | None = None) -> Host:
    """Make the chosen host, make it the session's and start it (raises :class:`SetupError`)."""
    global _made_from, _restart_kept
    _restart_kept = None
    if chosen is not None:
        session.set_setup_problem(chosen.problem)
        if chosen.problem:
            session.set_state(SessionState(state="failed", message=chosen.problem, mode=""))
            raise SetupError(chosen.problem)
        host = _make(chosen, preferences.wangp_setup(context))
        reason = chosen.reason
    else:
        host = animatic.make_host()
        reason = ANIMATIC_REASON
        session.set_setup_problem(ANIMATIC_REASON)
    _made_from = chosen
    session.adopt(host, reason)
    host.start()
    log.write(f"Session starting ({host.mode}): {reason}")
    timer.ensure_timer()
    return host


def _make(chosen: Plan, setup: preferences.WanGPSetup) -> Host:
    """The one place a host's kind is picked."""
    if chosen.mode == "farm":
        return FarmHost(setup.farm_url, setup.farm_token, path_map=setup.farm_path_map)
    assert chosen.config is not None  # a WanGP plan without a problem has its config
    if chosen.mode == "bridge":
        return BridgeHost(chosen.config, chosen.python)
    return SessionHost(chosen.config)


def revive(chosen: Plan | None) -> Host | None:
    """The failed host again, when its process ended but nothing about it changed: a new process takes the
    jobs it kept. None when it cannot (another plan, a start-up failure, or no such host)."""
    global _restart_kept
    # The user asks again: a crash loop guard from an earlier failure no longer applies.
    _restart_kept = None
    host = session.get_host()
    if host is None or chosen is None or chosen.problem or not _process_ended(host) or not chosen.same_host(_made_from):
        return None
    return _restart(host, "restarting WanGP's process")


def _process_ended(host: Host) -> bool:
    if not host.capabilities.restarts_after_crash:
        return False
    process: ProcessHost = host  # type: ignore[assignment]  # hosts that restart implement ProcessHost
    return process.pid is None


def _restart(host: Host, why: str) -> Host:
    old = session.state()
    # Said here, not by the child: until its host speaks, the view must not read "failed" (that
    # would make the next click stop this host and drop the jobs it keeps).
    session.set_state(SessionState(state="starting", message=why, mode=host.mode, wangp_version=old.wangp_version,
                                   wangp_commit=old.wangp_commit))
    host.start()
    log.write(f"Session: {why}")
    timer.ensure_timer()
    return host


def on_state(message: SessionState) -> None:
    """After the pump applied a ``SessionState``: a crashed process's kept jobs run again, or are cancelled.

    The pump applied the crashed job's Failed before this state: the jobs still submitted were kept.
    """
    if message.state == "failed":
        _after_crash(frozenset(record.job_id for record in jobs.submitted()))


def _after_crash(kept: frozenset[str]) -> None:
    """Run the jobs a crashed host process kept, once per crash, and never in a loop.

    A new process is started only when the crashes make progress: some job kept at the last automatic
    restart has ended since. Otherwise (it died again before running any of them) the kept jobs are
    cancelled, so nothing waits for them forever.
    """
    global _restart_kept
    host = session.get_host()
    if host is None or not _process_ended(host) or not kept:
        return
    if _restart_kept is None or not _restart_kept <= kept:
        _restart_kept = kept
        _restart(host, f"restarting WanGP's process for {len(kept)} queued job(s)")
        return
    log.write(f"WanGP's process ended again before running any of the {len(kept)} queued job(s): they are cancelled")
    host.cancel_all()


def forget() -> None:
    """Reset (the add-on is unregistered, or the session stopped)."""
    global _restart_kept, _made_from
    _restart_kept = None
    _made_from = None
