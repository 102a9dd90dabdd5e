"""Citation keys: ASCII, readable, unique within a catalog, and stable.

A generated key is `<words>[_<year>]-<suffix>`:

* `<words>`: the first author (if any) and the first words of the title. Han characters
  become pinyin through pypinyin, which reads whole phrases (重庆 → chongqing, 银行 →
  yinhang), with each run of Han characters written as one word; Latin words are
  ASCII-folded and lower-cased, English stop words skipped. Records without a title use
  the URL's site and path.
* `<year>`: the publication year when it is known.
* `<suffix>`: two characters derived from the record's id (itself a digest of the
  canonical URL). Because the suffix depends on the record alone, adding or removing other
  records never changes an existing key; it is only lengthened in the (1 in 1,024 per
  pair of identical titles) case that two records share both words and suffix.

Keys a richer input already had (a .bib entry's key, a CSL item's id) are kept as they
are; only a case-insensitive clash among them is settled with the id-derived suffix.

pypinyin takes about 0.3 s to load its dictionaries, more than the whole run of a small
catalog, so the pinyin of each title run is memoised on disk (`$XDG_CACHE_HOME/refexport/keys.sqlite`);
the cache also keeps keys stable across pypinyin upgrades that change a reading.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from refexport import workers
from refexport.memo import Memo
from refexport.model import Record
from refexport.resources import cache_dir
from refexport.text.markup import plain
from refexport.text.script import HAN as _HAN

# Characters a key may hold (BibTeX, biber, pandoc and Zotero all accept these).
KEY_CHARS = re.compile(r"^[A-Za-z0-9_:-]+$")
_SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/o/0/1: easy to read back
_TOKEN = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+")
_HAN_RUN = re.compile(rf"^[{_HAN}]+$")
_MAX_WORDS = 4
_HEX_ID = re.compile(r"[0-9a-f]{1,16}")
_MAX_LETTERS = 28  # of words, before year and suffix
_MAX_SYLLABLES = 8  # per Han run
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "what",
        "when",
        "why",
        "with",
        "your",
    ]
)
_HOST_NOISE = frozenset(
    {"www", "m", "mp", "blog", "blogs", "zhuanlan", "en", "zh", "cn", "com", "org", "net"}
)


def is_valid_key(key: str) -> bool:
    return bool(KEY_CHARS.match(key))


def assign_keys(records: Sequence[Record]) -> list[tuple[Record, str]]:
    """Give every record without a key a generated one, and make all keys unique
    case-insensitively. Records must already have their ids. Returns the records whose own
    key (from the input) had to change, with that old key, so the caller can say so."""
    pinyin = KeyCache(_cache_path())
    materials = {index: _key_material(record) for index, record in enumerate(records) if not record.key}
    pinyin.prefetch(materials.values())
    # Records whose words are not memoised need the pinyin of their Han runs: ask for all of
    # them in one go rather than one query per run.
    runs = [
        run
        for index, material in materials.items()
        if pinyin.known(material) is None
        for run in _han_runs(records[index])
    ]
    pinyin.prefetch(KeyCache.romanise_key(run, _MAX_SYLLABLES) for run in runs)
    pinyin.romanise_all(runs, _MAX_SYLLABLES)
    proposals: dict[int, str] = {}
    for index, material in materials.items():
        proposals[index] = pinyin.memoised(material, functools.partial(key_words, records[index], pinyin))
    pinyin.save()

    taken: dict[str, int] = {}  # lower-cased key -> record index, for keys from the input
    for index, record in enumerate(records):
        if record.key and record.key.lower() not in taken:
            taken[record.key.lower()] = index
    clashing = {i: r.key for i, r in enumerate(records) if r.key and taken[r.key.lower()] != i}
    # Generated keys, and input keys that clash with an earlier one, get an id suffix.
    bases = {**proposals, **clashing}
    for index, key in _with_suffixes(bases, records, set(taken)).items():
        records[index].key = key
    return [(records[index], old) for index, old in clashing.items()]


def _with_suffixes(bases: dict[int, str], records: Sequence[Record], taken: set[str]) -> dict[int, str]:
    # Longest suffix once per record; a shorter suffix is its prefix.
    suffixes = {index: _suffix(_id_number(records[index].id), 12) for index in bases}
    length = 2
    result: dict[int, str] = {}
    pending = dict(bases)
    while pending:
        groups: dict[str, list[int]] = defaultdict(list)
        for index, base in pending.items():
            groups[f"{base}-{suffixes[index][:length]}".lower()].append(index)
        pending = {}
        for candidate, members in groups.items():
            if len(members) == 1 and candidate not in taken:
                index = members[0]
                result[index] = f"{bases[index]}-{suffixes[index][:length]}"
            else:
                pending.update((i, bases[i]) for i in members)
        length += 2
        if length > 12:  # identical ids: the catalog merges those, so this means a caller bug
            raise ValueError(f"cannot make keys unique for records {sorted(pending)}")
    return result


def _id_number(record_id: str) -> int:
    """The id as a number (ids are hex digests; anything else is hashed first)."""
    if _HEX_ID.fullmatch(record_id):
        return int(record_id, 16)
    return int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:16], 16)


def _suffix(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        chars.append(_SUFFIX_ALPHABET[digit])
    return "".join(chars)


def _key_material(record: Record) -> str:
    """Everything `key_words` reads, as one string (the memo key)."""
    author = record.authors[0].display() if record.authors else ""
    year = (record.issued.year if record.issued else None) or ""
    return f"k:{author}\x1f{record.title or ''}\x1f{'' if record.title else record.url}\x1f{year}"


Romaniser = Callable[[str, int], list[str]]  # a Han run, a number of syllables -> syllables


def _key_words(record: Record, romanise: Romaniser) -> list[list[str]]:
    """The words of a key from the first author and the title, each as its syllables (a
    Latin word is one)."""
    words: list[list[str]] = []
    if record.authors:
        first = record.authors[0]
        words += _words(first.literal or first.family or first.given or "", romanise, 1)
    if record.title:
        words += _words(plain(record.title), romanise, _MAX_WORDS - len(words))
    return words


def key_words(record: Record, pinyin: KeyCache) -> str:
    """The readable part of a generated key (without the suffix)."""
    words = _key_words(record, pinyin.romanise)
    if not record.title and record.url:
        words += [[w] for w in _url_words(record.url)[: _MAX_WORDS - len(words)]]
    text = ""
    for syllables in words:
        room = _MAX_LETTERS - len(text) - (1 if text else 0)
        word = ""
        for syllable in syllables:  # cut long words between syllables, never inside one
            if len(word) + len(syllable) > room:
                break
            word += syllable
        if not word:
            if text:
                break
            word = syllables[0][:_MAX_LETTERS]
        text = f"{text}_{word}" if text else word
    year = record.issued.year if record.issued else None
    if year:  # a literal date has none; year 0 is no year
        text = f"{text}_{year}" if text else str(year)
    return text or "ref"


def _han_runs(record: Record) -> list[str]:
    """The Han runs `key_words` will romanise, to do them all at once."""
    runs: list[str] = []

    def collect(han: str, syllables: int) -> list[str]:
        runs.append(han)
        return [han]  # a word, as its pinyin would be

    _key_words(record, collect)
    return runs


def _words(text: str, romanise: Romaniser, limit: int) -> list[list[str]]:
    words: list[list[str]] = []
    for token in _TOKEN.findall(text):
        if len(words) >= limit:
            break
        if _HAN_RUN.match(token):
            syllables = romanise(token[: _MAX_SYLLABLES + 1], _MAX_SYLLABLES)
        else:
            word = _ascii(token).lower()
            syllables = [word] if word and word not in _STOP_WORDS else []
        if syllables:
            words.append(syllables)
    return words


def _url_words(url: str) -> list[str]:
    parts = urlsplit(url)
    labels = [label for label in (parts.hostname or "").split(".") if label and label not in _HOST_NOISE]
    site = labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")
    words = [_ascii(site).lower()] if site else []
    for segment in parts.path.split("/"):
        word = re.sub(r"[^a-z0-9]", "", _ascii(segment).lower())[:16]
        if word:
            words.append(word)
    return [w for w in words if w]


def _ascii(text: str) -> str:
    """Fold accents and drop whatever has no ASCII form (Müller → Muller)."""
    folded = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^A-Za-z0-9]", "", folded.encode("ascii", "ignore").decode("ascii"))


class KeyCache(Memo):
    """Pinyin of Han runs and the words of whole keys, memoised on disk so that pypinyin is
    only loaded for new titles (a `Memo` in the cache folder's keys.sqlite)."""

    def romanise(self, han: str, syllables: int) -> list[str]:
        """Pinyin syllables (lower-case ASCII, no tones) of the first `syllables` characters
        of a Han run; the run is read whole so phrases spanning the cut still read right."""
        cache_key = self.romanise_key(han, syllables)
        cached = self._get(cache_key)
        if cached is None:
            cached = _romanised(han, syllables)
            self.remember(cache_key, cached)
        return cached.split()

    def romanise_all(self, runs: list[str], syllables: int) -> None:
        """Romanise the runs not memoised yet, ahead of `romanise`. Many of them (a first run
        over a large catalog: the blog corpus has 34,000 runs) are shared with forked workers on
        idle cores (`refexport.workers.mapped`), which inherit the dictionaries loaded here.
        Measured on the blog corpus, first run: 0.88 s with one worker beside this process,
        1.11 s alone (pypinyin's loading included)."""
        keys = {run: self.romanise_key(run, syllables) for run in runs}
        missing = [run for run, key in keys.items() if self.known(key) is None]
        if not missing:
            return
        _lazy_pinyin()  # pypinyin's dictionaries loaded once, before a fork

        romanised = functools.partial(_romanised, syllables=syllables)
        readings = workers.mapped(romanised, missing, len(missing) >= _PARALLEL_RUNS)
        for run, reading in zip(missing, readings, strict=True):
            self.remember(self.romanise_key(run, syllables), reading)

    @staticmethod
    def romanise_key(han: str, syllables: int) -> str:
        return f"{syllables}:{han}"


_PARALLEL_RUNS = 4000  # below that, a worker costs more than it saves


def _romanised(han: str, syllables: int) -> str:
    """Pinyin syllables of the first `syllables` characters of a Han run, space-separated."""
    readings = (
        p.lower() if p.isascii() and p.isalpha() else re.sub(r"[^a-z]", "", _ascii(p).lower())
        for p in _lazy_pinyin()(han)[:syllables]
    )
    return " ".join(r for r in readings if r)


@functools.cache
def _lazy_pinyin() -> Callable[[str], list[str]]:
    """pypinyin's `lazy_pinyin` (0.3 s of dictionaries: loaded when first needed), with the
    reading of each word it segments worked out once: a catalog's titles repeat their words
    (the blog corpus: 190,000 words in 34,000 runs, 7,600 different), and converting a word
    was most of pypinyin's time (those runs: 2.2 s, 0.75 s so; the same readings)."""
    from pypinyin import Style
    from pypinyin.converter import DefaultConverter
    from pypinyin.core import Pinyin

    class WordMemo(DefaultConverter):
        def __init__(self) -> None:
            super().__init__()
            self.words: dict[tuple[str, Style, bool, str, bool], list[list[str]]] = {}

        def convert(
            self,
            words: str,
            style: Style,
            heteronym: bool,
            errors: Callable[[str], str] | str,
            strict: bool = True,
            **kwargs: Any,
        ) -> list[list[str]]:
            if kwargs or callable(errors) or len(words) > _KEPT_WORD_CHARS:
                return super().convert(words, style, heteronym, errors, strict, **kwargs)
            key = (words, style, heteronym, errors, strict)
            readings = self.words.get(key)
            if readings is None:
                if len(self.words) >= _WORDS_LIMIT:
                    self.words.clear()
                # `lazy_pinyin` copies the readings out: the list is shared, never changed
                readings = self.words[key] = super().convert(words, style, heteronym, errors, strict)
            return readings

    return Pinyin(WordMemo()).lazy_pinyin


_WORDS_LIMIT = 50_000  # words remembered (about 430 bytes each: 21 MB); emptied when full
_KEPT_WORD_CHARS = 20  # longer is no word of pypinyin's phrases (a run it has no reading for)


def _cache_path() -> Path | None:
    if os.environ.get("REFEXPORT_NO_CACHE"):
        return None
    return cache_dir() / "keys.sqlite"
