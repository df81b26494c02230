"""The farm side of Movie Director: WanGP on a Ray cluster of GPU machines, behind a small HTTP front.

Not part of the Blender extension (its zip excludes this folder): it runs on the farm's machines, in
WanGP's own Python environment, and shares only ``wangp_backend`` (the session code and the wire
format) with the add-on. Rooms: ``policy`` (who runs what), ``dispatcher`` (the queue, its journal and
what a loss means), ``front`` (the HTTP API with its token), ``worker`` (one GPU's WanGP session),
``ray_app`` (the same on Ray actors) and ``serve`` (the head's command line).
"""
