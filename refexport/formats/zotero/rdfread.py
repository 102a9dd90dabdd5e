"""Zotero RDF -> Zotero item data: what Zotero's `RDF.js` import reads from a Zotero RDF file
(the properties `Zotero RDF.js` export writes, see `rdf.py`), over the triples of
`rdfxml.py`. Items are the nodes with a `z:itemType`; collections the `z:Collection` (or
`bib:Collection`) nodes, their paths from the `dcterms:hasPart` nesting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from refexport.formats.zotero.rdfxml import RDF, Graph, Ref, graph, parse
from refexport.formats.zotero.schema import ItemType, schema
from refexport.model import Problem

Z = "http://www.zotero.org/namespaces/export#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
BIB = "http://purl.org/net/biblio#"
FOAF = "http://xmlns.com/foaf/0.1/"
PRISM = "http://prismstandard.org/namespaces/1.2/basic/"
VCARD = "http://nwalsh.com/rdf/vCard#"
STASH = "https://refexport.invalid/ns/zotero-rdf/1#stash"
CONTAINER_FIELD = "container-title"  # the CSL variable of the container's title field
# The kind fields RDF.js fills from `dc:type` (its `typeProperties`).
TYPE_FIELDS = frozenset(
    "reportType letterType manuscriptType mapType thesisType websiteType presentationType postType "
    "audioFileType".split()
)
_CONTAINERS = frozenset(
    [BIB + c for c in ("Journal", "Periodical", "Newspaper", "Book", "CourtReporter")]
    + [Z + c for c in ("Website", "Blog", "Forum")]
)
_COLLECTIONS = frozenset({Z + "Collection", BIB + "Collection"})
# Literal properties of the item node -> base field.
_NODE_FIELDS = {
    DC + "title": "title",
    DCTERMS + "dateSubmitted": "accessDate",
    BIB + "pages": "pages",
    DC + "description": "extra",
    DCTERMS + "abstract": "abstractNote",
    DC + "rights": "rights",
    DC + "coverage": "archiveLocation",
    DCTERMS + "medium": "medium",
    DC + "date": "date",
    DC + "language": "language",
}
_SERIES_FIELDS = {
    DC + "title": "series",
    DCTERMS + "alternative": "seriesTitle",
    DC + "description": "seriesText",
    DC + "identifier": "seriesNumber",
}
_BIB_CREATORS = {BIB + "authors": "author", BIB + "editors": "editor", BIB + "contributors": "contributor"}
_IDENTIFIERS = ("ISSN", "ISBN", "DOI")


@dataclass(slots=True)
class Found:
    items: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)  # label, item, stash
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)  # collection key -> path
    title: str | None = None  # the single top collection's name
    problems: list[Problem] = field(default_factory=list)


def read_items(data: bytes, name: str) -> Found:
    triples = graph(parse(data, name), name)
    found = Found()
    collections = [s for s in triples.triples if _COLLECTIONS.intersection(triples.types(s))]
    membership = _collections(triples, collections, found)
    number = 0
    for subject in triples.triples:
        item_type = triples.literal(subject, Z + "itemType")
        if item_type:
            number += 1
            item = node_item(triples, subject, item_type)
            item["collections"] = membership.get(subject, [])
            found.items.append((f"item {number}", item, triples.literal(subject, STASH)))
        elif subject not in triples.referenced and subject not in collections and triples.triples[subject]:
            number += 1
            found.problems.append(Problem(name, f"item {number}", "not a Zotero item (no z:itemType)"))
    return found


def _key(subject: str, prefix: str) -> str:
    return subject.rpartition(prefix)[2] if prefix in subject else subject


def _collections(triples: Graph, collections: list[str], found: Found) -> dict[str, list[str]]:
    """Fill in the collection paths and the top title; the collection keys of each item."""
    parent: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for subject in collections:
        for child in triples.objects(subject, DCTERMS + "hasPart"):
            if child in collections:
                parent.setdefault(child, subject)
            else:
                members.setdefault(child, []).append(_key(subject, "#collection_"))
    for subject in collections:
        path: list[str] = []
        current: str | None = subject
        while current is not None and len(path) <= len(collections):
            path.insert(0, triples.literal(current, DC + "title") or "")
            current = parent.get(current)
        found.paths[_key(subject, "#collection_")] = tuple(path)
    tops = [s for s in collections if s not in parent]
    found.title = triples.literal(tops[0], DC + "title") if len(tops) == 1 else None
    return members


def _parts(triples: Graph, subject: str) -> list[str]:
    """What the node is part of (`dcterms:isPartOf`), and what those are part of."""
    parts: list[str] = []
    pending = triples.objects(subject, DCTERMS + "isPartOf")
    while pending and len(parts) < 16:
        part = pending.pop(0)
        if isinstance(part, Ref) and part not in parts and part != subject:
            parts.append(part)
            pending += triples.objects(part, DCTERMS + "isPartOf")
    return parts


def _of_type(triples: Graph, nodes: list[str], types: frozenset[str]) -> str | None:
    return next((n for n in nodes if types.intersection(triples.types(n))), None)


def node_item(triples: Graph, subject: str, item_type: str) -> dict[str, Any]:
    """The Zotero item data of an item node (type-specific field names)."""
    spec = schema().item_types.get(item_type)
    item: dict[str, Any] = {"itemType": item_type, "creators": [], "tags": []}
    if "#item_" in subject:
        item["key"] = _key(subject, "#item_")

    def put(base: str, value: str | None) -> None:
        target = (spec.field_for(base) if spec else base) or None
        if value is not None and target is not None:
            item.setdefault(target, value)

    parts = _parts(triples, subject)
    container = _of_type(triples, parts, _CONTAINERS)
    for predicate, base in _NODE_FIELDS.items():
        put(base, triples.literal(subject, predicate))
    _container_fields(triples, subject, container, spec, put)
    series = _of_type(triples, parts, frozenset({BIB + "Series"}))
    for predicate, name in _SERIES_FIELDS.items():
        put(name, triples.literal(series, predicate))
    put("section", triples.literal(_of_type(triples, parts, frozenset({BIB + "Part"})), DC + "title"))
    _publisher(triples, subject, put)
    _node_references(triples, subject, spec, item, put)
    for predicate, value in triples.triples[subject]:
        if predicate.startswith(Z) and not isinstance(value, Ref) and predicate != Z + "itemType":
            item[predicate[len(Z) :]] = value  # RDF.js: every z: property is the field of that name
    return item


def _container_fields(
    triples: Graph, subject: str, container: str | None, spec: ItemType | None, put: Any
) -> None:
    holders = [container, subject] if container else [subject]
    if container is not None and spec is not None:
        container_field = spec.variable_field.get(CONTAINER_FIELD)
        if container_field:
            put(container_field, triples.literal(container, DC + "title"))
    put("volume", _first(triples, holders, PRISM + "volume"))
    number = _first(triples, holders, PRISM + "number")
    put("issue" if spec is None or "issue" in spec.fields else "number", number)
    put("journalAbbreviation", triples.literal(holders[0], DCTERMS + "alternative"))
    # prism:edition is both fields (RDF.js); a type that has both (a standard) reads it as its edition
    edition = triples.literal(subject, PRISM + "edition")
    put("edition" if spec is None or "edition" in spec.fields else "versionNumber", edition)
    for holder in holders:
        for value in triples.objects(holder, DC + "identifier"):
            label = value.partition(" ")[0].upper()
            if not isinstance(value, Ref) and label in _IDENTIFIERS:
                put(label, value[len(label) + 1 :])


def _first(triples: Graph, holders: list[str], predicate: str) -> str | None:
    return next((v for v in (triples.literal(h, predicate) for h in holders) if v is not None), None)


def _publisher(triples: Graph, subject: str, put: Any) -> None:
    organization = triples.node(subject, DC + "publisher")
    if organization is None:
        put("publisher", triples.literal(subject, DC + "publisher"))
        return
    put("publisher", triples.literal(organization, FOAF + "name"))
    put("place", triples.literal(triples.node(organization, VCARD + "adr"), VCARD + "locality"))


def _node_references(
    triples: Graph, subject: str, spec: ItemType | None, item: dict[str, Any], put: Any
) -> None:
    """Creators, tags, call number, URL, conference and kind: the properties whose values
    are nodes (or may be)."""
    kind = spec.field_for("type") if spec else None
    for predicate, value in triples.triples[subject]:
        creator_type = _BIB_CREATORS.get(predicate)
        if (
            creator_type is None
            and predicate.startswith(Z)
            and predicate.endswith("s")
            and isinstance(value, Ref)
        ):
            creator_type = predicate[len(Z) : -1]
        if creator_type is not None and isinstance(value, Ref):
            item["creators"] += [_creator(triples, member, creator_type) for member in triples.members(value)]
        elif predicate == DC + "subject":
            _subject(triples, value, item)
        elif predicate == DC + "identifier" and isinstance(value, Ref):
            put("url", triples.literal(value, RDF + "value"))
        elif predicate == BIB + "presentedAt":
            put("conferenceName", triples.literal(value, DC + "title") if isinstance(value, Ref) else value)
        elif predicate == DC + "type" and kind in TYPE_FIELDS and not isinstance(value, Ref):
            put(kind, value)


def _subject(triples: Graph, value: str, item: dict[str, Any]) -> None:
    if not isinstance(value, Ref):
        item["tags"].append({"tag": value})
    elif Z + "AutomaticTag" in triples.types(value):
        item["tags"].append({"tag": triples.literal(value, RDF + "value") or "", "type": 1})
    elif "callNumber" not in item:
        call_number = triples.literal(value, RDF + "value")
        if call_number is not None:
            item["callNumber"] = call_number


def _creator(triples: Graph, member: str, creator_type: str) -> dict[str, str]:
    if not isinstance(member, Ref):
        return {"creatorType": creator_type, "name": member}
    last = triples.literal(member, FOAF + "surname") or triples.literal(member, FOAF + "lastName") or ""
    first = triples.literal(member, FOAF + "givenName")
    if first is None:
        first = triples.literal(member, FOAF + "givenname") or triples.literal(member, FOAF + "firstName")
    if first is None:
        return {"creatorType": creator_type, "name": last}
    return {"creatorType": creator_type, "firstName": first, "lastName": last}
