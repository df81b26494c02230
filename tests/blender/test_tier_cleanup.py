"""The tier's temporary folder (Blender's user resources, the built zip, the empty .blend) is removed when the
process that made it ends: each run used to leave one in /tmp."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO

SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import conftest
print("TMP " + conftest._TMP)
import os
assert os.path.isfile(conftest._EMPTY_BLEND)
"""


def test_the_tiers_temporary_folder_is_gone_when_its_process_ends():
    done = subprocess.run([sys.executable, "-c", SCRIPT, os.path.join(REPO, "tests", "blender")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    tmp = next(line[4:] for line in done.stdout.splitlines() if line.startswith("TMP "))
    assert tmp.startswith(os.path.join(os.path.realpath(os.path.dirname(tmp)), "md_blender_tier_"))
    assert not os.path.exists(tmp)
