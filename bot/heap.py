"""Returning freed memory to the system.

Building an index (scikit-learn's TF-IDF fit, the FAQ postings) allocates far more for a moment than
the index keeps; glibc holds the freed pages in the process, so a server sits on them for the rest of
its life (about 25 MB in the web app and in the action server). `release()` hands them back: call it
after a build and now and then on a long-running server. A no-op where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache
from typing import Any

# glibc's default of eight arenas per core lets each thread of a server keep its own heap of freed
# memory; two bound that for every process `hotline run` starts (bot/stack.py) and the deployment units.
MALLOC_ARENA_MAX = "2"


@lru_cache(maxsize=1)
def _libc() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release(collect: bool = True) -> bool:
    """Returns free heap pages to the system (after a garbage collection unless `collect` is False: a
    full collection of a server's heap stalls it); True if the C library could."""
    if collect:
        gc.collect()
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
