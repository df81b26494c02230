"""Which WanGP release the double behaves like: ``"12.60"`` (measured, the default) or ``"17"``.

Chosen by ``"profile"`` in the ``FAKE_WANGP_CONFIG`` file. The 17.x profile differs only in ways
WanGP's newer releases document, with the same API surface:
- its version (``WanGP_version``) is 17.2;
- ``preview`` events carry ``None`` instead of a decoded image (a session may also send none at
  all: ``"previews": false`` in the config, in any profile);
- a job's event queue keeps only the newest unread ``progress`` event (a slow reader never sees
  stale progress, and never sees every step);
- ``get_model_settings`` lists named presets for model families that ship them (MiniMax H3 here).
"""

from __future__ import annotations

from typing import Any

from . import fake_config

PROFILES: dict[str, dict[str, Any]] = {
    "12.60": {"version": "12.60", "preview_data": "image", "drop_old_progress": False, "presets": {}},
    "17": {
        "version": "17.2",
        "preview_data": "none",
        "drop_old_progress": True,
        "presets": {
            "minimax_h3": {
                "preset:minimax_h3/balanced.json": {"num_inference_steps": 12, "guidance_scale": 1.5,
                                                    "resolution": "832x480", "video_length": 124},
            },
        },
    },
}


def current() -> dict[str, Any]:
    name = str(fake_config.load().get("profile", "12.60"))
    if name not in PROFILES:
        raise ValueError(f"FAKE_WANGP_CONFIG names an unknown profile {name!r} (use {', '.join(PROFILES)})")
    return PROFILES[name]
