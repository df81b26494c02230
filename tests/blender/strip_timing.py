"""A strip's timing in tests, through the add-on's own accessors: Blender 5.1 renamed ``frame_final_start``
and the rest (the old names warn), and the tier turns such a warning into an error (``tests/pytest.ini``)."""

from __future__ import annotations

import importlib

from conftest import MODULE

_compat = importlib.import_module(f"{MODULE}.compat")

left_handle = _compat.left_handle
right_handle = _compat.right_handle
duration = _compat.duration
content_start = _compat.content_start
content_duration = _compat.content_duration
handle_offsets = _compat.handle_offsets
set_timing = _compat.set_timing
