"""Name lists: `Knuth, Donald E. and van der Berg, Jr., Jan and {World Health Organization}
and others`, and Better BibTeX's/biber's extended name format (`family=Heuvel, given=Charles,
prefix=van den, useprefix=false`).

Reading follows pandoc's `toName` (Citeproc/BibTeX.hs): a name wholly in braces is a
literal (an organisation, or a name never to be split); `First von Last`, `von Last,
First` and `von Last, Jr, First` are split the way biblatex does (the `von` part is the
leading lower-case words of `von Last`); the `von` part is CSL's dropping particle, or its
non-dropping particle with biblatex's `useprefix=true`; a final `others` is kept as the
literal name "others", as pandoc does. Writing inverts this; BibLaTeX uses the extended
format for what `von Last, Jr, First` cannot say (a non-dropping particle, a given name
without family name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from sys import intern

from refexport.model import Name
from refexport.text.latex import from_plain, to_plain

# ` and ` between names (any case, any blanks), the cheap test before the brace-aware split.
_AND = re.compile(r"\s[Aa][Nn][Dd]\s")
_EXTENDED_KEY = re.compile(r"\s*(family|given|prefix|suffix|useprefix)\s*=", re.IGNORECASE)
# A name that needs none of the careful work: `Family, Given` or a single word, plain text.
_SIMPLE_PART = re.compile(
    r"(?!.*(?:--|''))[^\s{}\\~,=$%&#_^<>|`\x00-\x1f\x7f-\x9f]+(?: [^\s{}\\~,=$%&#_^<>|`\x00-\x1f\x7f-\x9f]+)*"
)


def parse_names(value: str, useprefix: bool = False) -> tuple[list[Name], bool]:
    """The names of a name-list field, and whether LaTeX in them was lost on the way."""
    if "{" not in value and "\\" not in value:
        raws = _AND_SPLIT.split(value.strip()) if _AND.search(value) else [value.strip()]
    else:
        raws = split_top_level(value.strip(), _AND_SPLIT)
    names: list[Name] = []
    lossy = False
    known = _PARSED[useprefix]
    for raw in raws:
        raw = raw.strip()
        if not raw:
            continue
        parsed = known.get(raw)
        if parsed is None:
            parsed = parse_name(raw, useprefix)
            if len(raw) <= _KEPT_NAME_CHARS:
                if len(known) >= _PARSED_LIMIT:
                    known.clear()
                known[raw] = parsed
        names.append(parsed[0])
        lossy = lossy or parsed[1]
    return names, lossy


# Names already parsed, by their LaTeX (one table per `useprefix`): a bibliography names the
# same people again and again (10,000 entries of gen_bib: 29,000 names, 7,000 different), and
# a `Name` is a value nothing changes in place, so records share it. Bounded: 50,000 names a
# table (about 440 bytes each as real names go: 22 MB), emptied when full, and none longer
# than 200 characters (that is no name but a whole text in `author`: parsed, not kept).
_PARSED: tuple[dict[str, tuple[Name, bool]], dict[str, tuple[Name, bool]]] = ({}, {})
_PARSED_LIMIT = 50_000
_KEPT_NAME_CHARS = 200


def parse_name(raw: str, useprefix: bool = False) -> tuple[Name, bool]:
    """One name (its LaTeX, without the surrounding `and`s)."""
    simple = _simple_name(raw)
    if simple is not None:
        return simple, False
    if raw == "others":
        return Name(literal="others"), False
    if fully_braced(raw):
        literal, lossy = to_plain(raw[1:-1])
        return Name(literal=literal), lossy
    parts = split_top_level(raw, _COMMA)
    if _EXTENDED_KEY.match(parts[0]):
        return _extended_name(parts)
    return _bibtex_name(parts, useprefix)


def _simple_name(raw: str) -> Name | None:
    """`Family, Given` (or `Family`) with plain words and a capital first: no splitting rules
    needed. None for anything else. The parts are interned: a bibliography names the same
    people again and again (see `tables.REPEATED_VARIABLES`)."""
    family, comma, given = raw.partition(", ")
    if not family or " " in family or not _upper_first(family) or not _SIMPLE_PART.fullmatch(family):
        return None
    if comma:
        if not _SIMPLE_PART.fullmatch(given):
            return None
        return Name(family=intern(family), given=intern(given))
    return Name(family=intern(family)) if family == raw else None


def _upper_first(text: str) -> bool:
    return text[0].isalpha() and not text[0].islower()


def _bibtex_name(parts: list[str], useprefix: bool) -> tuple[Name, bool]:
    words = [split_top_level(part, _BLANKS) for part in parts]
    words = [[w for w in part if w] for part in words]
    junior: list[str] = []
    if len(words) == 1:
        capitalised = 0
        while capitalised < len(words[0]) and _capitalised(words[0][capitalised]):
            capitalised += 1
        if capitalised == len(words[0]) and capitalised:
            first, von_last = words[0][:-1], words[0][-1:]
        else:
            first, von_last = words[0][:capitalised], words[0][capitalised:]
    elif len(words) == 2:
        first, von_last = words[1], words[0]
    else:
        first, von_last, junior = words[2], words[0], words[1]
    # biblatex's rule: `von` is the leading lower-case words (pandoc does the same)
    split = 0
    while split < len(von_last) and not _capitalised(von_last[split]):
        split += 1
    if split == len(von_last) and split:
        split -= 1
    von, last = von_last[:split], von_last[split:]
    lossy = False

    def text(tokens: list[str]) -> str | None:
        nonlocal lossy
        if not tokens:
            return None
        plain, part_lossy = to_plain(" ".join(tokens))
        lossy = lossy or part_lossy
        return plain or None

    prefix = text(von)
    return Name(
        family=text(last),
        given=text(first),
        dropping_particle=None if useprefix else prefix,
        non_dropping_particle=prefix if useprefix else None,
        suffix=text(junior),
    ), lossy


def _extended_name(parts: list[str]) -> tuple[Name, bool]:
    values: dict[str, str] = {}
    lossy = False
    for part in parts:
        key, equals, value = part.partition("=")
        key = key.strip().lower()
        if not equals or key not in ("family", "given", "prefix", "suffix", "useprefix"):
            lossy = True  # `giveni=…`, `sortingnamekeytemplate=…`: not kept
            continue
        text, part_lossy = to_plain(_unbrace(value.strip()))
        lossy = lossy or part_lossy
        values[key] = text
    useprefix = values.get("useprefix", "").lower() == "true"
    prefix = values.get("prefix") or None
    return Name(
        family=values.get("family") or None,
        given=values.get("given") or None,
        dropping_particle=None if useprefix else prefix,
        non_dropping_particle=prefix if useprefix else None,
        suffix=values.get("suffix") or None,
    ), lossy


def _unbrace(text: str) -> str:
    return text[1:-1] if fully_braced(text) else text


_SPECIAL_CHARACTER = re.compile(r"\{\\[A-Za-z]+\s*\{?|\{\\.\{?")
_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")


def _capitalised(word: str) -> bool:
    """BibTeX's case of a word: its first letter outside braces; a brace group counts as
    upper case unless it starts with a command (`{\\"u}ber` is lower case)."""
    index = 0
    while index < len(word):
        ch = word[index]
        if ch == "{":
            if word[index + 1 : index + 2] == "\\":
                match = _SPECIAL_CHARACTER.match(word, index)
                inner = word[match.end() if match else index + 2 :]
                letter = next((c for c in inner if c.isalpha()), "")
                return not letter or letter.isupper()
            return True
        if ch == "\\":
            match = _COMMAND.match(word, index)
            index = match.end() if match else index + 1
            continue
        if ch.isalpha():
            return ch.isupper() or not ch.islower()
        index += 1
    return True


def fully_braced(text: str) -> bool:
    """`{…}` where the first brace closes at the very end (escaped braces do not count)."""
    if len(text) < 2 or text[0] != "{" or text[-1] != "}":
        return False
    return next((index for index, depth in brace_depths(text) if depth == 0), None) == len(text) - 1


def brace_depths(text: str) -> Iterator[tuple[int, int]]:
    """(index, depth after it) of each brace of `text` that no backslash escapes."""
    depth = 0
    for match in _BRACE_OR_ESCAPE.finditer(text):
        brace = match.group()
        if brace[0] != "\\":
            depth += 1 if brace == "{" else -1
            yield match.start(), depth


_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)


_AND_SPLIT = re.compile(r"\s+[Aa][Nn][Dd]\s+")
_COMMA = re.compile(r"\s*,\s*")
_BLANKS = re.compile(r"(?:\s|(?<!\\)~)+")  # `~` is a tie, `\\~` a tilde accent


def split_top_level(text: str, separator: re.Pattern[str]) -> list[str]:
    """`text` split at the matches of `separator` that lie outside braces."""
    if "{" not in text:
        return [part.strip() for part in separator.split(text)]
    parts: list[str] = []
    start = scanned = depth = 0
    for match in separator.finditer(text):
        at = match.start()
        depth += _balance(text, scanned, at)
        scanned = at
        if depth == 0 and at > 0:
            parts.append(text[start:at].strip())
            start = match.end()
    parts.append(text[start:].strip())
    return parts


def _balance(text: str, start: int, end: int) -> int:
    """Opening less closing braces in `text[start:end]`, escaped ones (`\\{`) not counted."""
    balance = text.count("{", start, end) - text.count("}", start, end)
    if "\\" in text:
        balance -= text.count("\\{", start, end) - text.count("\\}", start, end)
    return balance


# --------------------------------------------------------------------------- writing


def format_names(names: Sequence[Name], dialect: str, useprefix: bool = False) -> tuple[str, bool]:
    """A name-list field, and whether `parse_names` will read exactly `names` back (only the
    simple forms are known to; the writer checks the rest). With `useprefix` (the entry says
    `options = {useprefix=true}`), particles are non-dropping."""
    exact = True
    out: list[str] = []
    last = len(names) - 1
    for index, name in enumerate(names):
        text, name_exact = format_name(name, dialect, index == last, useprefix)
        out.append(text)
        exact = exact and name_exact
    return " and ".join(out), exact


def format_name(name: Name, dialect: str, last: bool = False, useprefix: bool = False) -> tuple[str, bool]:
    if _is_simple(name):
        assert name.family is not None
        return (f"{name.family}, {name.given}" if name.given else name.family), True
    if name.literal is not None:
        if name.literal == "others" and last:
            return "others", True
        text, exact = from_plain(name.literal)
        return "{" + text + "}", exact and bool(name.literal) and not _has_other_parts(name)
    particle_lost = bool(name.non_dropping_particle) and not useprefix
    if dialect == "biblatex" and (particle_lost or not name.family):
        return _extended(name), False
    return _von_last_first(name), _plain_parts(name, useprefix)


def _has_other_parts(name: Name) -> bool:
    return any(
        (name.family, name.given, name.suffix, name.dropping_particle, name.non_dropping_particle)
    ) or (name.comma_suffix or name.static_ordering)


def _plain_parts(name: Name, useprefix: bool) -> bool:
    """Whether `von Last, Jr, First` of plain words reads back as `name` exactly."""
    family, particle = name.family, name.non_dropping_particle if useprefix else name.dropping_particle
    other_particle = name.dropping_particle if useprefix else name.non_dropping_particle
    if not family or other_particle or name.comma_suffix or name.static_ordering:
        return False
    if " " in family or not _upper_first(family) or not _SIMPLE_PART.fullmatch(family):
        return False
    return _plain_particle(particle) and all(_plain_word_run(p) for p in (name.suffix, name.given))


def _plain_particle(particle: str | None) -> bool:
    """A particle BibTeX reads as the `von` part: lower-case plain words, single spaces."""
    if particle is None:
        return True
    words = particle.split(" ")
    return all(w[:1].islower() and _SIMPLE_PART.fullmatch(w) for w in words) and particle == " ".join(words)


def _plain_word_run(part: str | None) -> bool:
    """A given name or suffix of plain words (no ` and `)."""
    return part is None or (_SIMPLE_PART.fullmatch(part) is not None and not _AND.search(f" {part} "))


def _is_simple(name: Name) -> bool:
    """`Family, Given` of plain words: what needs no quoting and reads back exactly."""
    family, given = name.family, name.given
    if name.literal is not None or not family or name.dropping_particle or name.non_dropping_particle:
        return False
    if name.suffix or name.comma_suffix or name.static_ordering or " " in family:
        return False
    if not (_upper_first(family) and _SIMPLE_PART.fullmatch(family)):
        return False
    return given is None or (_SIMPLE_PART.fullmatch(given) is not None and not _AND.search(f" {given} "))


def _von_last_first(name: Name) -> str:
    """`von Last, Jr, First`; BibTeX cannot say whether a particle drops (the entry's
    `useprefix` option, or the stash, does)."""
    prefix = " ".join(p for p in (name.dropping_particle, name.non_dropping_particle) if p)
    family = _part(name.family or "", protect_words=True)
    von = _part(prefix, protect_words=False) if prefix else ""
    head = f"{von} {family}" if von else family
    if not name.family and not von:
        head = "{}"
    fields = [head]
    if name.suffix:
        fields.append(_part(name.suffix, protect_words=False))
    if name.given or name.suffix:
        fields.append(_part(name.given or "", protect_words=False))
    elif fully_braced(head):
        fields.append("")  # `{Van Buren},`: a family name, not a literal `{Van Buren}`
    return ", ".join(fields).rstrip()


def _extended(name: Name) -> str:
    """biber's extended name format, for what `von Last, Jr, First` cannot say."""
    pairs = [
        ("family", name.family),
        ("given", name.given),
        ("prefix", name.non_dropping_particle or name.dropping_particle),
        ("suffix", name.suffix),
    ]
    out = [f"{key}={{{from_plain(value)[0]}}}" for key, value in pairs if value is not None]
    if name.non_dropping_particle:
        out.append("useprefix=true")
    return ", ".join(out)


def _part(text: str, protect_words: bool) -> str:
    """A name part as written: escaped, and braced where BibTeX would otherwise split it
    (a comma, ` and `, an `=`) or, for the family name, read a `von` or a first name."""
    escaped, _ = from_plain(text)
    risky = "," in escaped or "=" in escaped or _AND.search(f" {escaped} ") is not None
    if protect_words and re.search(r"[\s~]", escaped):  # one word is always the family name
        risky = True
    return "{" + escaped + "}" if risky and escaped else escaped
