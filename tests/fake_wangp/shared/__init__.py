"""The ``shared`` package of the WanGP test double (``shared.api`` is the in-process API)."""
