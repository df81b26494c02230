"""A stable fingerprint of a WanGP settings dict, recorded in every take's sidecar.

The batch compares it with the shot's current settings to skip unchanged shots, so it is taken
before a random seed (-1) is resolved, and ignores private keys (``_api``, ``_fake``...).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .sidecar_paths import relative


def settings_hash(settings: Mapping[str, Any], project: str = "") -> str:
    """:param project: the .blend's folder: files inside it count by their place in it, so a project moved
        or shared as a whole keeps its shots unchanged."""
    public = {k: v for k, v in settings.items() if not str(k).startswith("_")}
    public = relative(public, project, project)
    blob = json.dumps(public, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
