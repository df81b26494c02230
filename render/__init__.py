"""The Blender render room: a Blender scene (a copy of the user's .blend) -> control videos, keyframe stills
(guide keyframes and camera-frame start images) and the layout animatic's clips with their previews.

Data flows one way: a plain :class:`~.job.GuideJob` or :class:`~.job.AnimaticJob` (JSON) in, files and JSON
event lines out. This package runs in a background Blender (``blender -b copy.blend --python render/worker.py
-- job.json``, or the same script under the ``bpy`` module's Python) and imports nothing from the rest of the
add-on, so the worker can load it on its own. It may change the copy it renders freely: the user's file is
never changed here.
"""
