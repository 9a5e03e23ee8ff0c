"""Child processes that file permissions apply to, even when the tests run as root.

Root passes every permission check through CAP_DAC_OVERRIDE, so a read-only directory would
not be read-only to it. The child drops that capability (and its two relatives) from its
bounding set before it executes, so after exec it no longer has them.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable

_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2
_CAP_FOWNER = 3


def _drop_overrides() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def permissions_apply() -> Callable[[], None] | None:
    """A `preexec_fn` for subprocess: None for an ordinary user, the capability drop for root."""
    return _drop_overrides if os.geteuid() == 0 else None
