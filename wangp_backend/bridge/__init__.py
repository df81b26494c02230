"""Bridge mode: WanGP runs in a child process with its own Python, behind the same host interface.

Blender 5.1+ runs Python 3.13 while WanGP installs use 3.10/3.11, so WanGP's packages cannot be
loaded into Blender. The child (:mod:`.child`) runs the ordinary in-process host with WanGP's own
interpreter and streams its messages back over a pipe (:mod:`.protocol`); the parent
(:class:`wangp_backend.hosts.bridge.BridgeHost`) makes that look exactly like an in-process host, except ``mode``.
"""
