"""The built zip installs like a user's download and registers everything under the extension's name."""

from __future__ import annotations

import bpy

MODULE = "bl_ext.user_default.movie_director"


def test_installed_as_an_extension_module(md):
    assert md.__name__ == MODULE
    assert md.__file__.startswith(bpy.utils.user_resource("EXTENSIONS"))
    assert MODULE in bpy.context.preferences.addons


def test_preferences_reachable_through_the_accessor(md):
    prefs = md.preferences.get_prefs()
    assert prefs is not None
    assert type(prefs).bl_idname == MODULE


def test_every_operator_is_registered(md):
    for cls in md.operators.classes:
        namespace, name = cls.bl_idname.split(".")
        assert namespace == "movie_director"
        assert hasattr(bpy.ops.movie_director, name), cls.bl_idname
    assert hasattr(bpy.types.Object, "movie_director") and hasattr(bpy.types.Scene, "movie_director")


def test_pump_is_idle_without_a_session(md):
    assert md.runtime.session.get_host() is None
    assert md.pump() is None
