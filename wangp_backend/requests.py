"""What the Blender side hands to a session host: the session configuration and job requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SessionConfig:
    """Where WanGP lives and how to start it. All paths absolute.

    :param wangp_root: the WanGP install folder (holds ``wgp.py`` and ``shared/api.py``).
    :param site_packages: the ``site-packages`` folder of WanGP's Python environment, appended to
        ``sys.path`` (never prepended, so Blender's own packages win); empty when WanGP's packages
        are already importable.
    :param cli_args: WanGP start-up flags, e.g. ``("--profile", "4", "--attention", "sdpa")``.
    :param output_dir: WanGP's own output folder (a scratch folder; takes are moved out of it).
    :param offline: set ``HF_HUB_OFFLINE=1`` before importing WanGP so missing weights fail fast.
    """

    wangp_root: str
    site_packages: str = ""
    cli_args: tuple[str, ...] = ()
    output_dir: str = ""
    offline: bool = False


@dataclass(frozen=True)
class JobRequest:
    """One clip to generate.

    :param shot_key: the caller's stable key for the shot (echoed in every message).
    :param settings: the WanGP settings dict, sent as is after validation and normalisation.
    :param take_dir: absolute folder the finished clip is moved into (created if missing).
    :param take_name: file stem for the clip and its sidecar, e.g. ``"SH010_take003"``; the host
        never overwrites an existing file (it picks the next free stem).
    :param fallbacks: model types tried in order when the primary fails at generation/runtime.
    :param sidecar_extra: plain values merged into the sidecar JSON (shot name, template, inputs...).
    :param operation: ``"generate"`` (``submit_task(settings)``) or ``"postprocess"`` (WanGP's late
        post-processing of ``settings["video_source"]``, see :mod:`wangp_backend.postprocess`).
    :param play_fps: the frame rate the clip plays at on the timeline (the scene's); a clip made at
        another rate is conformed to it on the host (frames repeated or dropped, never sped up).
        0 keeps the clip as made.
    """

    shot_key: str
    settings: dict[str, Any]
    take_dir: str
    take_name: str
    fallbacks: tuple[str, ...] = ()
    sidecar_extra: dict[str, Any] = field(default_factory=dict)
    operation: str = "generate"
    play_fps: float = 0.0
