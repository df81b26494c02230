"""Plain-Python backend of Movie Director: hosts a WanGP session and turns its events into messages.

Nothing in this package imports ``bpy``: it runs inside Blender's process (on its own thread) or in a
bridge child process that uses WanGP's own Python, with the same messages in both cases.
"""
