"""Zotero RDF: the RDF/XML of Zotero's own "Zotero RDF" export translator, which Zotero
desktop imports (File > Import) with its collection tree, and which this module reads back
(refexport's files and Zotero's own exports alike).

Each record becomes the Zotero item of `items.item_of`, spelled as the translator spells it
(`Zotero RDF.js` export; `RDF.js` import reads it): a node `#item_<key>` of the class Zotero
gives its type (`bib:Document`, `bib:Article` …) with `z:itemType`; `dc:title`; the URL as
`dc:identifier`/`dcterms:URI`; `dc:date`; `dcterms:dateSubmitted` (accessDate); creators as
`bib:authors`/`bib:editors`/`bib:contributors`/`z:<type>s`, each an `rdf:Seq` of
`foaf:Person` (a one-field name has no `foaf:givenName`); tags as `dc:subject`; Extra as
`dc:description`; the container (`z:Website`, `z:Blog`, `z:Forum`, `bib:Journal` …) with its
title, `dc:identifier` "DOI …"/"ISSN …"/"ISBN …", volume, issue and journal abbreviation;
the series as `bib:Series`; the publisher as `foaf:Organization` with its place; pages,
edition, abstract, rights, archive location, `dc:type` of the type-specific kind fields,
the conference, the call number; every other field as `z:<field>`. Collections are
`z:Collection` nodes with `dcterms:hasPart` pointing at sub-collections and items.

One addition, which Zotero's importer ignores (it copies only `z:` properties): the stash of
a record, when its item cannot say all of it, as `refexport:stash` on the item node. An item
without a date but with an access date gets an empty `dc:date`, because the importer
otherwise takes the access date for the date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from refexport import stash
from refexport.formats import WriteOptions
from refexport.formats.zotero import NOT_CITATIONS, stash_delta, top_collection
from refexport.formats.zotero.items import (
    collection_key,
    collection_tree,
    item_of,
    record_of,
    record_paths,
)
from refexport.formats.zotero.rdfread import CONTAINER_FIELD, TYPE_FIELDS, read_items
from refexport.formats.zotero.schema import ItemType, schema
from refexport.model import Problem, ReadResult, Record
from refexport.text.json import compact_json
from refexport.text.xml import XML_ILLEGAL

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "z": "http://www.zotero.org/namespaces/export#",
    "dcterms": "http://purl.org/dc/terms/",
    "bib": "http://purl.org/net/biblio#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "link": "http://purl.org/rss/1.0/modules/link/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "vcard": "http://nwalsh.com/rdf/vCard#",
    "prism": "http://prismstandard.org/namespaces/1.2/basic/",
    "refexport": "https://refexport.invalid/ns/zotero-rdf/1#",
}
ITEM_PREFIX = "#item_"
COLLECTION_PREFIX = "#collection_"

# Zotero item type -> (class of the item node, class of its container node), as the
# "Zotero RDF" export translator writes them; None where it writes none.
TYPE_CLASSES: dict[str, tuple[str | None, str | None]] = {
    "book": ("bib:Book", None),
    "bookSection": ("bib:BookSection", "bib:Book"),
    "journalArticle": ("bib:Article", "bib:Journal"),
    "magazineArticle": ("bib:Article", "bib:Periodical"),
    "newspaperArticle": ("bib:Article", "bib:Newspaper"),
    "thesis": ("bib:Thesis", None),
    "letter": ("bib:Letter", None),
    "manuscript": ("bib:Manuscript", None),
    "interview": ("bib:Interview", None),
    "film": ("bib:MotionPicture", None),
    "artwork": ("bib:Illustration", None),
    "webpage": ("bib:Document", "z:Website"),
    "report": ("bib:Report", None),
    "bill": ("bib:Legislation", None),
    "case": ("bib:Document", "bib:CourtReporter"),
    "hearing": ("bib:Report", None),
    "patent": ("bib:Patent", None),
    "statute": ("bib:Legislation", None),
    "email": ("bib:Letter", None),
    "map": ("bib:Image", None),
    "blogPost": ("bib:Document", "z:Blog"),
    "instantMessage": ("bib:Letter", None),
    "forumPost": ("bib:Document", "z:Forum"),
    "audioRecording": ("bib:Recording", None),
    "presentation": ("bib:ConferenceProceedings", None),
    "videoRecording": ("bib:Recording", None),
    "tvBroadcast": ("bib:Recording", None),
    "radioBroadcast": ("bib:Recording", None),
    "podcast": ("bib:Recording", None),
    "computerProgram": ("bib:Data", None),
    "encyclopediaArticle": (None, "bib:Book"),
    "dictionaryEntry": (None, "bib:Book"),
    "conferencePaper": (None, "bib:Journal"),
}
# Fields with a property of their own on the item node (the translator's choices).
_NODE_PROPERTIES = {
    "title": "dc:title",
    "accessDate": "dcterms:dateSubmitted",
    "pages": "bib:pages",
    "extra": "dc:description",
    "abstractNote": "dcterms:abstract",
    "rights": "dc:rights",
    "edition": "prism:edition",
    "archiveLocation": "dc:coverage",
    "interviewMedium": "dcterms:medium",
    "artworkMedium": "dcterms:medium",
}
# Fields of the container node (of the item node when the type has no container).
_CONTAINER_PROPERTIES = {
    "journalAbbreviation": "dcterms:alternative",
    "volume": "prism:volume",
    "issue": "prism:number",
}
_IDENTIFIERS = ("ISSN", "ISBN", "DOI")
_SERIES_PROPERTIES = {
    "series": "dc:title",
    "seriesTitle": "dcterms:alternative",
    "seriesText": "dc:description",
    "seriesNumber": "dc:identifier",
}
_BIB_CREATORS = ("author", "editor", "contributor")
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _text(value: str) -> str:
    """Element content: XML-illegal characters dropped; `\\r` as a reference, which XML
    parsers would otherwise turn into a line feed."""
    value = XML_ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _element(prop: str, value: str, indent: str = "        ") -> str:
    return f"{indent}<{prop}>{_text(value)}</{prop}>"


# --- writing -----------------------------------------------------------------------------


def write(records: Sequence[Record], options: WriteOptions) -> Iterator[str]:
    """Zotero RDF of the records and their collection tree (top collection: the `collection`
    option, else the catalog title); the same records always give the same text."""
    top = top_collection(options)
    specs = collection_tree(records, top)
    order = {spec.key: position for position, spec in enumerate(specs)}
    # the paths as `read` gets them back: collection names go through XML too
    path_by_key = {spec.key: tuple(XML_ILLEGAL.sub("", name) for name in spec.path) for spec in specs}
    declarations = "\n".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in PREFIXES.items())
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF\n{declarations}>\n'
    members: dict[str, list[str]] = {}
    for record in records:
        item = item_of(record, [collection_key(p) for p in record_paths(record, top)])
        delta = stash_delta(record, record_of(rdf_view(item, order), path_by_key))
        for key in item["collections"]:
            members.setdefault(key, []).append(item["key"])
        yield "\n".join(_item_lines(item, delta)) + "\n"
    subcollections: dict[str | None, list[str]] = {}
    for spec in specs:
        subcollections.setdefault(spec.parent, []).append(f"{COLLECTION_PREFIX}{spec.key}")
    for spec in specs:
        lines = [
            f'    <z:Collection rdf:about="{COLLECTION_PREFIX}{spec.key}">',
            _element("dc:title", spec.name),
        ]
        children = subcollections.get(spec.key, []) + [f"{ITEM_PREFIX}{k}" for k in members.get(spec.key, [])]
        lines += [f'        <dcterms:hasPart rdf:resource="{ref}"/>' for ref in children]
        yield "\n".join([*lines, "    </z:Collection>"]) + "\n"
    yield "</rdf:RDF>\n"


def rdf_view(item: dict[str, Any], order: dict[str, int]) -> dict[str, Any]:
    """The item as `read` gets it back from `_item_lines`: no XML-illegal characters, its
    collections in document order, creators in the two shapes RDF has, no relations."""
    view: dict[str, Any] = {}
    for name, value in item.items():
        if isinstance(value, str):
            view[name] = XML_ILLEGAL.sub("", value)
    if "edition" in view or "versionNumber" in view:  # one prism:edition: see rdfread
        edition = view.pop("edition", None) or view.pop("versionNumber")
        view.pop("versionNumber", None)
        has_edition = "edition" in schema().item_types[item["itemType"]].fields
        view["edition" if has_edition else "versionNumber"] = edition
    view["creators"] = [_creator_view(c) for c in item["creators"]]
    view["tags"] = [{"tag": XML_ILLEGAL.sub("", t["tag"])} for t in item["tags"]]
    view["collections"] = sorted(item["collections"], key=lambda key: order.get(key, len(order)))
    return view


def _creator_view(creator: dict[str, Any]) -> dict[str, str]:
    creator_type = str(creator.get("creatorType") or "author")
    if "name" in creator:
        return {"creatorType": creator_type, "name": XML_ILLEGAL.sub("", str(creator["name"]))}
    first, last = (XML_ILLEGAL.sub("", str(creator.get(k) or "")) for k in ("firstName", "lastName"))
    return {"creatorType": creator_type, "firstName": first, "lastName": last}


def _item_lines(item: dict[str, Any], delta: dict[str, Any]) -> list[str]:
    item_type = item["itemType"]
    spec = schema().item_types[item_type]
    node_class, container_class = TYPE_CLASSES.get(item_type, (None, None))
    element = node_class or "rdf:Description"
    lines = [f'    <{element} rdf:about="{ITEM_PREFIX}{item["key"]}">', _element("z:itemType", item_type)]
    fields = {k: v for k, v in item.items() if isinstance(v, str) and k not in ("key", "itemType")}
    lines += _container_lines(fields, spec, container_class)
    lines += _series_lines(fields)
    lines += _publisher_lines(fields, spec)
    lines += _creator_lines(item["creators"])
    lines += [_element("dc:subject", tag["tag"]) for tag in item["tags"]]
    lines += _node_lines(fields, spec)
    if delta:
        # Raw XML-illegal characters can only sit inside JSON strings, where `\\uXXXX` is the same.
        encoded = XML_ILLEGAL.sub(lambda m: f"\\u{ord(m.group()):04x}", compact_json(delta))
        lines.append(_element(f"{stash.NAME}:stash", encoded))
    lines.append(f"    </{element}>")
    return lines


def _container_lines(fields: dict[str, str], spec: ItemType, container_class: str | None) -> list[str]:
    """The container node's properties (on the item node when the type has no container)."""
    props = [("dc:identifier", f"{name} {fields.pop(name)}") for name in _IDENTIFIERS if name in fields]
    props += [(prop, fields.pop(name)) for name, prop in _CONTAINER_PROPERTIES.items() if name in fields]
    container_field = spec.variable_field.get(CONTAINER_FIELD)
    if container_class is None:
        return [_element(prop, value) for prop, value in props]
    if container_field in fields:
        props.insert(0, ("dc:title", fields.pop(container_field)))
    if not props:
        return []
    inner = [_element(prop, value, "                ") for prop, value in props]
    return [
        "        <dcterms:isPartOf>",
        f"            <{container_class}>",
        *inner,
        f"            </{container_class}>",
        "        </dcterms:isPartOf>",
    ]


def _series_lines(fields: dict[str, str]) -> list[str]:
    props = [(prop, fields.pop(name)) for name, prop in _SERIES_PROPERTIES.items() if name in fields]
    if not props:
        return []
    inner = "".join(f"<{prop}>{_text(value)}</{prop}>" for prop, value in props)
    return [f"        <dcterms:isPartOf><bib:Series>{inner}</bib:Series></dcterms:isPartOf>"]


def _publisher_lines(fields: dict[str, str], spec: ItemType) -> list[str]:
    publisher_field = spec.field_for("publisher")
    inner = ""
    if publisher_field in fields:
        inner += f"<foaf:name>{_text(fields.pop(publisher_field))}</foaf:name>"
    if "place" in fields:
        place = _text(fields.pop("place"))
        inner += (
            f"<vcard:adr><vcard:Address><vcard:locality>{place}</vcard:locality></vcard:Address></vcard:adr>"
        )
    if not inner:
        return []
    return [f"        <dc:publisher><foaf:Organization>{inner}</foaf:Organization></dc:publisher>"]


def _creator_lines(creators: list[dict[str, Any]]) -> list[str]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for creator in creators:
        by_type.setdefault(str(creator.get("creatorType") or "author"), []).append(creator)
    lines = []
    for creator_type, group in by_type.items():
        prop = f"bib:{creator_type}s" if creator_type in _BIB_CREATORS else f"z:{creator_type}s"
        lines += [f"        <{prop}>", "            <rdf:Seq>"]
        for creator in group:
            view = _creator_view(creator)
            if "name" in view:
                names = f"<foaf:surname>{_text(view['name'])}</foaf:surname>"
            else:
                names = (
                    f"<foaf:surname>{_text(view['lastName'])}</foaf:surname>"
                    f"<foaf:givenName>{_text(view['firstName'])}</foaf:givenName>"
                )
            lines.append(f"                <rdf:li><foaf:Person>{names}</foaf:Person></rdf:li>")
        lines += ["            </rdf:Seq>", f"        </{prop}>"]
    return lines


def _node_lines(fields: dict[str, str], spec: ItemType) -> list[str]:
    lines = []
    if "url" in fields:
        url = _text(fields.pop("url"))
        lines.append(
            f"        <dc:identifier><dcterms:URI><rdf:value>{url}</rdf:value></dcterms:URI></dc:identifier>"
        )
    date_field = spec.field_for("date") or "date"
    if date_field in fields:
        lines.append(_element("dc:date", fields.pop(date_field)))
    elif "accessDate" in fields:
        lines.append("        <dc:date></dc:date>")  # keeps Zotero from taking the access date as date
    if "conferenceName" in fields:
        title = _text(fields.pop("conferenceName"))
        conference = f"<bib:Conference><dc:title>{title}</dc:title></bib:Conference>"
        lines.append(f"        <bib:presentedAt>{conference}</bib:presentedAt>")
    if "callNumber" in fields:
        value = _text(fields.pop("callNumber"))
        lines.append(
            f"        <dc:subject><dcterms:LCC><rdf:value>{value}</rdf:value></dcterms:LCC></dc:subject>"
        )
    for name in list(fields):
        if name in _NODE_PROPERTIES:
            lines.append(_element(_NODE_PROPERTIES[name], fields.pop(name)))
        elif name in TYPE_FIELDS:
            lines.append(_element("dc:type", fields.pop(name)))
    lines += [_element(f"z:{name}", value) for name, value in fields.items() if _FIELD_NAME.fullmatch(name)]
    return lines


# --- reading -----------------------------------------------------------------------------


def read(data: bytes, name: str) -> ReadResult:
    """Read Zotero RDF (refexport's, or Zotero's own export): items become records, their
    collections `collection`/`also_in`. Notes, attachments and bad items become problems."""
    result = ReadResult()
    found = read_items(data, name)
    result.title = found.title
    result.problems.extend(found.problems)
    for label, item, kept in found.items:
        if item["itemType"] in NOT_CITATIONS:
            result.problems.append(Problem(name, label, f"skipped a {item['itemType']} (not a citation)"))
            continue
        try:
            record = record_of(item, found.paths)
            result.records.append(stash.apply(record, stash.decode(kept)) if kept else record)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            result.problems.append(Problem(name, label, f"bad item: {error}"))
    return result
