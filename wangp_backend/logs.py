"""The backend's logger. Never ``print()``: while a WanGP job runs, ``sys.stdout`` is WanGP's capture.

Anything printed then becomes a job ``stream`` event (and printing those events would feed the
stream forever), so the backend logs through :mod:`logging`, by default to ``sys.__stderr__``.
"""

from __future__ import annotations

import logging
import sys

LOGGER_NAME = "movie_director.backend"


def get_logger() -> logging.Logger:
    """The backend logger, given a ``sys.__stderr__`` handler unless logging is configured already."""
    logger = logging.getLogger(LOGGER_NAME)
    if not logger.hasHandlers() and sys.__stderr__ is not None:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("%(asctime)s movie_director %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger
