"""Every Movie Director logger. Never ``print()``: while a WanGP job runs, ``sys.stdout`` is WanGP's capture.

Anything printed then becomes a job ``stream`` event (and printing those events would feed the
stream forever), so both sides log through :mod:`logging`, by default to ``sys.__stderr__``. All
loggers are children of ``movie_director``, which holds that one handler, so none of them is silent.
"""

from __future__ import annotations

import logging
import sys

ROOT_NAME = "movie_director"
LOGGER_NAME = f"{ROOT_NAME}.backend"


def get_logger(part: str = "backend") -> logging.Logger:
    """The ``movie_director.<part>`` logger (``backend``, ``runtime``, ``bridge``, ``farm``...).

    The first call gives ``movie_director`` a ``sys.__stderr__`` handler unless logging is configured
    already (a root handler, as the bridge child and pytest set up).
    """
    root = logging.getLogger(ROOT_NAME)
    if not root.hasHandlers() and sys.__stderr__ is not None:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return logging.getLogger(f"{ROOT_NAME}.{part}")
