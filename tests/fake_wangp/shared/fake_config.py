"""The scripted behaviour of the test double, read from the JSON file named by ``FAKE_WANGP_CONFIG``.

The file is re-read on every use so a test can change timings, availability or failures between
jobs without restarting the runtime.
"""

from __future__ import annotations

import json
import os
from typing import Any

ENV_VAR = "FAKE_WANGP_CONFIG"

#: Models whose weights the fake pretends are on disk unless the config says otherwise.
DEFAULT_AVAILABLE = (
    "t2v_1.3B",
    "i2v",
    "ltx2_22B_distilled",
    "ltxv_distilled",
    "hunyuan_t2v_fast",
    "t2v_2_2",
    "flf2v_720p",
    "ti2v_2_2",
)

DEFAULTS: dict[str, Any] = {
    "init_delay_s": 0.02,  # importing wgp (the real one takes 7 s warm, a minute cold)
    "start_delay_s": 0.02,  # between `started` and the first task; lets "cancel right after submit" win
    "load_delay_s": 0.05,  # loading a model that is not the last loaded one
    "step_delay_s": 0.01,  # one denoising step
    "slow_step_delay_s": 0.25,  # one denoising step of a prompt marked [fake:slow]
    "steps_cap": 4,  # num_inference_steps is capped so tests stay fast
    "preview_every": 2,  # a preview every N denoising steps (and on the last one)
    "available": list(DEFAULT_AVAILABLE),
    "decode_delay_s": 0.0,  # the VAE decode after the last step
    "init_error": "",  # importing wgp raises ImportError with this text
    "fail_models": {},  # {model_type: a failure of wgp._FAILURE_MARKERS, e.g. "oom", "decode_error"}
    "profile": "12.60",  # the WanGP release the double behaves like (see fake_profile)
    "previews": True,  # False: the session sends no preview events at all
}


def load() -> dict[str, Any]:
    """The defaults overlaid with the config file, if the environment names one."""
    config = json.loads(json.dumps(DEFAULTS))
    path = os.environ.get(ENV_VAR)
    if path:
        with open(path, encoding="utf-8") as handle:
            config.update(json.load(handle))
    return config
