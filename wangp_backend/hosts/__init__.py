"""The hosts room: who runs a shot's job, each behind the one interface of :mod:`.api`.

``in_process`` (WanGP on a thread of Blender's process), ``bridge`` (WanGP in a child process of its own
Python; the child and its wire live in :mod:`wangp_backend.bridge`), ``farm`` (WanGP on a Ray cluster over
HTTP; its client and wire live in :mod:`wangp_backend.farm`) and ``animatic`` (the layout rendered by
Blender, not AI). Data flows one way: a ``JobRequest`` in, frozen messages out, drained by the pump.
"""
