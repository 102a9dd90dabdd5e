"""Names <-> Zotero creators.

A Zotero creator has only `lastName` + `firstName`, or one `name` (organisations, and CJK
names nobody split). The other CSL name parts travel the way Zotero's own BibTeX import
writes them and its CSL export (`itemToCSLJSON`, with citeproc-js's particle rules) reads
them back: the non-dropping particle leads the last name ("van der Berg"), the dropping
particle ends the first name ("Jean de"), and a suffix follows the first name after a comma
("John, Jr."; `,!` when the suffix is printed after a comma). `name_of` applies those rules,
so a name reads back as Zotero itself would cite it.
"""

from __future__ import annotations

import re
from typing import Any

from refexport.model import Name

# A leading word of a last name and what separates it from the rest (citeproc-js's
# PARTICLE_FAMILY_REGEXP): "van ", "d'", "al-".
_FAMILY_WORD = re.compile(r"([^ ]+(?:-|\u02bb|\u2019| |') *)(.+)$", re.DOTALL)
_SUFFIX = re.compile(r"\s*,!*\s*")
_PARTICLE_START = re.compile(r"^[-'\u02bb\u2019\s]*(.)", re.DOTALL)


def creator(name: Name, creator_type: str) -> dict[str, str]:
    """The Zotero creator for a name (literal names as one field)."""
    if name.literal is not None:
        return {"creatorType": creator_type, "name": name.literal}
    return {"creatorType": creator_type, "firstName": first_name(name), "lastName": last_name(name)}


def last_name(name: Name) -> str:
    particle, family = name.non_dropping_particle, name.family or ""
    if not particle:
        return family
    joined = particle.endswith(("'", "\u2019", "\u02bb", "-"))
    return f"{particle}{family}" if joined else f"{particle} {family}"


def first_name(name: Name) -> str:
    text = " ".join(p for p in (name.given, name.dropping_particle) if p)
    if name.suffix:
        text += f"{',!' if name.comma_suffix else ','} {name.suffix}"
    return text


def name_of(data: dict[str, Any]) -> Name:
    """The name a Zotero creator stands for. TypeError for a creator that is not one."""
    if "name" in data:
        literal = data["name"]
        if not isinstance(literal, str):
            raise TypeError("a creator's name is not text")
        return Name(literal=literal)
    last, first = data.get("lastName") or "", data.get("firstName") or ""
    if not isinstance(last, str) or not isinstance(first, str):
        raise TypeError("a creator's name is not text")
    return split_name(last, first)


def split_name(last: str, first: str) -> Name:
    """CSL name parts of a last and first name, by Zotero's CSL export rules: particles and
    suffix are parsed only when both parts are there, and a quoted last name is kept whole."""
    if not (last and first):
        return Name(family=last or None, given=first or None)
    if len(last) > 1 and last[0] == '"' and last[-1] == '"':
        return Name(family=last[1:-1], given=first)
    particle, family = _leading_particles(last)
    given, suffix, comma_suffix = _suffix(first)
    given, dropping = _trailing_particles(given)
    return Name(
        family=family or None,
        given=given or None,
        non_dropping_particle=particle or None,
        dropping_particle=dropping or None,
        suffix=suffix or None,
        comma_suffix=comma_suffix,
    )


def _is_particle(word: str) -> bool:
    match = _PARTICLE_START.match(word)
    return match is not None and match.group(1).upper() != match.group(1)


def _leading_particles(last: str) -> tuple[str, str]:
    """("van der", "Berg") from "van der Berg"; lower-case leading words are particles."""
    rest, taken = last, 0
    while (match := _FAMILY_WORD.match(rest)) and _is_particle(match.group(1)):
        taken += len(match.group(1))
        rest = match.group(2)
    particle = last[:taken]
    trimmed = particle.strip()
    if particle.endswith(" ") and trimmed.endswith(("'", "\u2019")):
        trimmed += " "
    return trimmed, last[taken:]


def _suffix(first: str) -> tuple[str, str, bool]:
    match = _SUFFIX.search(first)
    if not match:
        return first, "", False
    comma_suffix = match.group().replace(" ", "").strip() == ",!"
    return first[: match.start()], first[match.end() :], comma_suffix


def _trailing_particles(given: str) -> tuple[str, str]:
    """("Jean", "de") from "Jean de": lower-case words after the first are particles."""
    words = given.split(" ")
    cut = len(words)
    while cut > 1 and words[cut - 1] and _is_particle(words[cut - 1]):
        cut -= 1
    if cut == len(words):
        return given, ""
    return " ".join(words[:cut]), " ".join(words[cut:]).strip()


def name_line(name: Name) -> str:
    """A name as Zotero's CSL-in-Extra writes it (`Editor: van der Berg || Anna`)."""
    if name.literal is not None:
        return name.literal
    return f"{last_name(name)} || {first_name(name)}"


def parse_name_line(text: str) -> Name:
    last, separator, first = text.partition(" || ")
    if not separator:
        return Name(literal=text)
    return split_name(last, first)
