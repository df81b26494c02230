"""Hosts the bridge child builds in tests, loaded there by file path (``--host-factory <this file>:NoisyHost``).

No tests live here; the module is named ``test_bridge*`` only because that is where bridge test code
goes. It must import nothing but ``wangp_backend`` and the standard library: the child imports it.
"""

from __future__ import annotations

import os
import sys

from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.requests import JobRequest

#: Bytes that look like the start of a frame (a length, then "{"): on the protocol stream they would
#: make the parent read a bogus 1-byte header and fail.
FRAME_LOOKALIKE = b"\x00\x00\x00\x01{"
#: A shot key that makes :meth:`NoisyHost.submit` raise, to exercise the child's error boundary.
RAISE_ON_SUBMIT = "scripted/raise-on-submit"


class NoisyHost(SessionHost):
    """The real in-process host, plus the stray output a WanGP process produces outside any job.

    C libraries write to fd 1 and Python code prints at import or load time; none of it may reach
    the protocol stream.
    """

    def start(self) -> None:
        os.write(1, FRAME_LOOKALIKE + b" stray bytes on fd 1 at start\n")
        print("stray print at start")
        sys.__stdout__.write("stray write to sys.__stdout__ at start\n")
        sys.__stdout__.flush()
        super().start()

    def submit(self, request: JobRequest) -> str:
        os.write(1, FRAME_LOOKALIKE + b" stray bytes on fd 1 at submit\n")
        if request.shot_key == RAISE_ON_SUBMIT:
            raise RuntimeError("scripted submit failure")
        return super().submit(request)
