"""The head's ``farm.env`` holds the farm's token: only its owner may read it, like ``token`` beside it."""

from __future__ import annotations

import os
import stat

from farm.serve import write_env


def test_farm_env_is_the_owners_alone_even_over_an_older_readable_one(tmp_path):
    env = tmp_path / "farm.env"
    env.write_text("MD_FARM_TOKEN=old\n")
    os.chmod(env, 0o644)
    write_env(str(env), "http://127.0.0.1:8765", "s3cret")
    assert stat.S_IMODE(os.stat(env).st_mode) == 0o600
    assert env.read_text() == "MD_FARM_URL=http://127.0.0.1:8765\nMD_FARM_TOKEN=s3cret\n"
