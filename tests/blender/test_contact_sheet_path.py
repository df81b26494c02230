"""Contact Sheet with a folder as its file: one clear sentence, and nothing written beside the folder (it wrote
``<folder>.png`` there), like Export Cut."""

from __future__ import annotations

import os

import bpy
import pytest


def test_a_folder_as_the_contact_sheets_file_is_refused(md, output_dir, make_shot, tmp_path):
    make_shot("SH010", 1, 24)
    folder = tmp_path / "sheets"
    folder.mkdir()
    with pytest.raises(RuntimeError, match="is a folder: choose a file name for the contact sheet"):
        bpy.ops.movie_director.contact_sheet(filepath=str(folder))
    assert not os.path.exists(str(folder) + ".png")
    assert not md.runtime.contact_sheet.busy()
