"""The Zotero schema as refexport uses it: item types, their fields and creator types, and the
schema's own CSL mappings (`csl.types`, `csl.fields.text`, `csl.fields.date`, `csl.names`),
turned into one table per item type: which field holds which CSL variable and which creator
type holds which name variable. The data is `data/zotero-fields.json`, generated from
zotero/zotero-schema by `tools/make_zotero_fields.py`; nothing here is invented except the
two choices marked as such below.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from refexport.model import VARIABLES

# The schema names two CSL variables by their legacy CSL-JSON names; the model uses the
# CSL 1.0.2 ones. `shortTitle` is the legacy twin of `title-short` (Zotero writes only
# title-short), `citation-key` is the record's key and `license` has no model variable
# (its field, `rights`, is kept as a Zotero field of the record).
_MODEL_VARIABLE = {"journalAbbreviation": "container-title-short", "part-number": "part"}
_NOT_VARIABLES = frozenset({"shortTitle", "citation-key"})
# Choice 1: the Zotero type for a CSL type the schema maps to several: the first listed,
# except videos (YouTube, Bilibili: `videoRecording`, not `film`) and broadcasts (podcasts
# are the broadcasts a reading list links to).
_PREFERRED_TYPE = {"motion_picture": "videoRecording", "broadcast": "podcast"}
# Choice 2: CSL types with no Zotero type become Zotero's generic `document`, their CSL type
# kept in an Extra `Type:` line (Zotero's documented override, read by its CSL export).
GENERIC_TYPE = "document"


@dataclass(frozen=True, slots=True)
class ItemType:
    """One Zotero item type with its CSL tables (all derived from the schema)."""

    name: str
    fields: tuple[str, ...]  # template order
    base: dict[str, str]  # type-specific field -> base field (`websiteTitle` -> `publicationTitle`)
    creator_types: tuple[str, ...]  # primary first
    variable_field: dict[str, str] = field(default_factory=dict)  # CSL text/number/date variable -> field
    field_variable: dict[str, str] = field(default_factory=dict)  # the inverse, for every mapped field
    name_creator: dict[str, str] = field(default_factory=dict)  # CSL name variable -> creator type
    creator_name: dict[str, str] = field(default_factory=dict)  # creator type -> CSL name variable

    @property
    def primary_creator(self) -> str:
        return self.creator_types[0] if self.creator_types else "author"

    def field_for(self, base: str) -> str | None:
        """The type's field for a base field (`publicationTitle` -> `websiteTitle`), or None."""
        if base in self.fields:
            return base
        for name, name_base in self.base.items():
            if name_base == base:
                return name
        return None

    def creator_for(self, variable: str) -> str | None:
        """The creator type for a CSL name variable; `author` for authors of every type
        (the Zotero API accepts it for all of them), None when the type has none."""
        return self.name_creator.get(variable) or ("author" if variable == "author" else None)

    def name_of(self, creator_type: str) -> str | None:
        """The CSL name variable of a creator type (Zotero's CSL export: unmapped types count
        as authors when they are the type's primary creator, else they are not cited)."""
        if creator_type in self.creator_name:
            return self.creator_name[creator_type]
        return "author" if creator_type == "author" else None


@dataclass(frozen=True, slots=True)
class Schema:
    version: int
    item_types: dict[str, ItemType]
    csl_to_zotero: dict[str, str]
    zotero_to_csl: dict[str, str]

    @property
    def all_fields(self) -> frozenset[str]:
        return frozenset(f for t in self.item_types.values() for f in t.fields)

    def zotero_type(self, csl_type: str) -> str:
        return self.csl_to_zotero.get(csl_type, GENERIC_TYPE)

    def csl_type(self, item_type: str) -> str:
        return self.zotero_to_csl.get(item_type, "document")


@functools.cache
def schema() -> Schema:
    """The shipped part of the Zotero schema, with the per-type CSL tables."""
    from refexport.resources import data_dir

    raw = json.loads((data_dir() / "zotero-fields.json").read_text(encoding="utf-8"))
    text_bases = [
        (_MODEL_VARIABLE.get(variable, variable), bases)
        for variable, bases in raw["cslText"].items()
        if variable not in _NOT_VARIABLES and _MODEL_VARIABLE.get(variable, variable) in VARIABLES
    ]
    date_bases = [(variable, [base]) for variable, base in raw["cslDates"].items()]
    item_types = {
        name: _item_type(name, entry, text_bases + date_bases, raw["cslNames"])
        for name, entry in raw["itemTypes"].items()
    }
    csl_to_zotero: dict[str, str] = {}
    zotero_to_csl: dict[str, str] = {}
    for csl, zotero_types in raw["cslTypes"].items():
        usable = [t for t in zotero_types if t in item_types]
        if not usable:
            continue
        preferred = _PREFERRED_TYPE.get(csl, "")
        csl_to_zotero[csl] = preferred if preferred in usable else usable[0]
        for zotero_type in usable:
            zotero_to_csl.setdefault(zotero_type, csl)
    return Schema(raw["schemaVersion"], item_types, csl_to_zotero, zotero_to_csl)


def _item_type(
    name: str, entry: dict[str, Any], variable_bases: list[tuple[str, list[str]]], csl_names: dict[str, str]
) -> ItemType:
    fields = tuple(f for f, _ in entry["fields"])
    base = {f: b for f, b in entry["fields"] if b}
    variable_field: dict[str, str] = {}
    field_variable: dict[str, str] = {}
    for variable, bases in variable_bases:
        for wanted in bases:  # the schema's order is the preference (first non-empty wins)
            for candidate in fields:
                if (candidate == wanted or base.get(candidate) == wanted) and candidate not in field_variable:
                    field_variable[candidate] = variable
                    variable_field.setdefault(variable, candidate)
    creator_types = tuple(entry["creatorTypes"])
    creator_name = {c: csl_names[c] for c in creator_types if c in csl_names}
    if creator_types and creator_types[0] not in creator_name:
        creator_name[creator_types[0]] = "author"  # Zotero's CSL export: the primary creator
    name_creator: dict[str, str] = {}
    for creator_type in creator_types:
        name_creator.setdefault(creator_name.get(creator_type, ""), creator_type)
    name_creator.pop("", None)
    return ItemType(
        name, fields, base, creator_types, variable_field, field_variable, name_creator, creator_name
    )
