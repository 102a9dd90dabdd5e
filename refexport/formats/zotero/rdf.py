"""Zotero RDF: the RDF/XML dialect of Zotero's own "Zotero RDF" export translator, which
Zotero desktop imports (File > Import) with its collection tree.

The mapping is `refexport.zotero`'s: each record becomes the Zotero item JSON of
`zotero.export_objects`, and this module only spells that item in RDF the way the
translator does (`Zotero RDF.js` export, read back by `RDF.js` import in zotero/translators):

- the item is a node `#item_<item key>`, typed like Zotero types it (`bib:Document` for
  webpage/blogPost/forumPost, `bib:Article`, `bib:Book`, ...; `rdf:Description` where Zotero
  has no class) with `z:itemType` (which the importer trusts first);
- `dc:title`; `dc:identifier` -> `dcterms:URI` -> `rdf:value` (url); `dc:date`;
  `dcterms:dateSubmitted` (accessDate); `dcterms:abstract` (abstractNote); `dc:subject`
  (tags); `dc:description` (extra: `Citation Key:`, `refexport-id:` and, when needed, the
  `refexport-data:` stash line); `dc:publisher` -> `foaf:Organization` -> `foaf:name`;
- the container (websiteTitle, blogTitle, publicationTitle, ...) as `dcterms:isPartOf` ->
  `z:Website` / `z:Blog` / `z:Forum` / `bib:Journal` / ... -> `dc:title`, for the types the
  translator gives a container class; other fields as `z:<field>` (the importer copies every
  `z:` property into the field of that name, `z:language` included);
- creators as `bib:authors` / `bib:editors` / `bib:contributors` / `z:<type>s`, each an
  `rdf:Seq` of `foaf:Person` with `foaf:surname` and, for two-field names, `foaf:givenName`
  (a single-field name has no given name, which the importer turns into `fieldMode: 1`);
- collections as `z:Collection` nodes `#collection_<collection key>` with `dc:title` and
  `dcterms:hasPart` pointing at sub-collections and items, nested like `collection_tree`.

Two refexport additions, both ignored by Zotero: `refexport:collections` on an item lists its
collection keys in order (RDF membership is unordered, and the first one is the record's
`collection`, the rest `also_in`), and an item without a date but with an access date gets an
empty `dc:date`, because the importer otherwise falls back to `dcterms:dateSubmitted` for the
date. Characters XML 1.0 cannot hold are stripped; the record fields that held them go into
the `refexport-data` stash line with JSON `\\u` escapes, so `read(write_rdf(records))`
gives the records back exactly.

`read` parses our own files (and files of the same shape) through defusedxml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from refexport import zotero
from refexport.errors import InputError, Problem
from refexport.fileio import XML_ILLEGAL
from refexport.formats import ReadResult
from refexport.model import Record

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
Z = "http://www.zotero.org/namespaces/export#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
BIB = "http://purl.org/net/biblio#"
FOAF = "http://xmlns.com/foaf/0.1/"
LINK = "http://purl.org/rss/1.0/modules/link/"
PRISM = "http://prismstandard.org/namespaces/1.2/basic/"
VCARD = "http://nwalsh.com/rdf/vCard#"
NAMESPACE = "https://refexport.invalid/ns/zotero-rdf/1"
PREFIXES = {
    "rdf": RDF,
    "z": Z,
    "dcterms": DCTERMS,
    "bib": BIB,
    "foaf": FOAF,
    "link": LINK,
    "dc": DC,
    "vcard": VCARD,
    "prism": PRISM,
    "refexport": NAMESPACE,
}
_URI_TO_PREFIX = {uri: prefix for prefix, uri in PREFIXES.items()}

# Zotero item type -> (class of the item node, class of its container node), as the
# "Zotero RDF" export translator writes them; None where it writes none.
_TYPE_CLASSES: dict[str, tuple[str | None, str | None]] = {
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
# Creator types with a `bib:` list property; every other type is `z:<type>s`.
_BIB_CREATOR_TYPES = ("author", "editor", "contributor")
# Item properties written with their own RDF property (everything else is `z:<field>`).
_OWN_PROPERTIES = frozenset(
    {"key", "version", "itemType", "title", "url", "date", "accessDate", "abstractNote", "extra"}
    | {"language", "creators", "tags", "collections", "relations", "deleted"}
)

# Characters outside the XML 1.0 `Char` production: they cannot appear even as references.
_ITEM_PREFIX = "#item_"
_COLLECTION_PREFIX = "#collection_"


# --- writing -----------------------------------------------------------------------------


def _has_illegal(value: Any) -> bool:
    if isinstance(value, str):
        return XML_ILLEGAL.search(value) is not None
    if isinstance(value, dict):
        return any(_has_illegal(k) or _has_illegal(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_illegal(v) for v in value)
    return False


def _text(value: str) -> str:
    """Element content: XML-illegal characters stripped; `\\r` as a reference, because XML
    parsers turn a literal carriage return into a line feed."""
    value = XML_ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _rdf_item(record: Record, top: str) -> dict[str, Any]:
    """The Zotero item JSON of `record`; record fields holding XML-illegal characters are
    forced into the `refexport-data` stash, with those characters as JSON `\\u` escapes."""
    wanted = record.to_dict()
    forced = frozenset(name for name, value in wanted.items() if _has_illegal(value))
    item = zotero.record_to_item(record, top, always_stash=forced)
    ours, user_text = zotero.split_extra(item["extra"])
    if zotero.STASH_LABEL in ours:
        # Raw illegal characters in a JSON line can only sit inside strings (json.dumps
        # already escapes C0 controls), where `\uXXXX` means the same character.
        ours[zotero.STASH_LABEL] = XML_ILLEGAL.sub(
            lambda match: f"\\u{ord(match.group()):04x}", ours[zotero.STASH_LABEL]
        )
        item["extra"] = zotero.join_extra(ours, user_text)
    return item


def _creator_property(creator_type: str) -> str:
    if creator_type in _BIB_CREATOR_TYPES:
        return f"bib:{creator_type}s"
    return f"z:{creator_type}s"


def _item_lines(item: dict[str, Any]) -> list[str]:
    item_type = item["itemType"]
    node_class, container_class = _TYPE_CLASSES.get(item_type, (None, None))
    element = node_class or "rdf:Description"
    spec = zotero.schema().item_types.get(item_type)
    container_field = spec.field_for("publicationTitle") if spec and container_class else None
    publisher_field = spec.field_for("publisher") if spec else None
    lines = [
        f'    <{element} rdf:about="{_ITEM_PREFIX}{item["key"]}">',
        f"        <z:itemType>{_text(item_type)}</z:itemType>",
    ]

    def literal(prop: str, value: str) -> None:
        lines.append(f"        <{prop}>{_text(value)}</{prop}>")

    container_title = item.get(container_field) if container_field else None
    if container_title:
        title = f"<dc:title>{_text(container_title)}</dc:title>"
        lines += [
            "        <dcterms:isPartOf>",
            f"            <{container_class}>{title}</{container_class}>",
            "        </dcterms:isPartOf>",
        ]
    publisher = item.get(publisher_field) if publisher_field else None
    if publisher:
        lines += [
            "        <dc:publisher>",
            f"            <foaf:Organization><foaf:name>{_text(publisher)}</foaf:name></foaf:Organization>",
            "        </dc:publisher>",
        ]
    creators_by_type: dict[str, list[dict[str, str]]] = {}
    for creator in item.get("creators") or []:
        creators_by_type.setdefault(creator.get("creatorType") or "author", []).append(creator)
    for creator_type, creators in creators_by_type.items():
        prop = _creator_property(creator_type)
        lines += [f"        <{prop}>", "            <rdf:Seq>"]
        for creator in creators:
            if "name" in creator:
                names = f"<foaf:surname>{_text(creator['name'])}</foaf:surname>"
            else:
                names = (
                    f"<foaf:surname>{_text(creator.get('lastName') or '')}</foaf:surname>"
                    f"<foaf:givenName>{_text(creator.get('firstName') or '')}</foaf:givenName>"
                )
            lines.append(f"                <rdf:li><foaf:Person>{names}</foaf:Person></rdf:li>")
        lines += ["            </rdf:Seq>", f"        </{prop}>"]
    for tag in item.get("tags") or []:
        literal("dc:subject", tag["tag"])
    if item.get("title"):
        literal("dc:title", item["title"])
    if item.get("abstractNote"):
        literal("dcterms:abstract", item["abstractNote"])
    if item.get("url"):
        lines += [
            "        <dc:identifier>",
            f"            <dcterms:URI><rdf:value>{_text(item['url'])}</rdf:value></dcterms:URI>",
            "        </dc:identifier>",
        ]
    if item.get("date"):
        literal("dc:date", item["date"])
    elif item.get("accessDate"):
        lines.append("        <dc:date></dc:date>")  # keeps Zotero from using the access date as date
    if item.get("accessDate"):
        literal("dcterms:dateSubmitted", item["accessDate"])
    if item.get("language"):
        literal("z:language", item["language"])
    for field_name, value in item.items():
        if field_name in _OWN_PROPERTIES or field_name in (container_field, publisher_field):
            continue
        if isinstance(value, str) and value and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field_name):
            literal(f"z:{field_name}", value)
    if item.get("extra"):
        literal("dc:description", item["extra"])
    if item.get("collections"):
        literal("refexport:collections", " ".join(item["collections"]))
    lines.append(f"    </{element}>")
    return lines


def _collection_lines(records: Sequence[Record], items: list[dict[str, Any]], top: str) -> list[str]:
    specs = zotero.collection_tree(records, top)
    children: dict[str | None, list[str]] = {}
    for spec in specs:
        children.setdefault(spec.parent, []).append(f"{_COLLECTION_PREFIX}{spec.key}")
    for item in items:
        for key in item.get("collections") or []:
            children.setdefault(key, []).append(f"{_ITEM_PREFIX}{item['key']}")
    lines: list[str] = []
    for spec in specs:
        lines += [
            f'    <z:Collection rdf:about="{_COLLECTION_PREFIX}{spec.key}">',
            f"        <dc:title>{_text(spec.name)}</dc:title>",
        ]
        lines += [f'        <dcterms:hasPart rdf:resource="{ref}"/>' for ref in children.get(spec.key, [])]
        lines.append("    </z:Collection>")
    return lines


def write_rdf(records: Sequence[Record], top_collection: str) -> str:
    """Zotero RDF (RDF/XML, UTF-8) of the records and their collection tree under
    `top_collection`; the same records always give the same text."""
    items = [_rdf_item(record, top_collection) for record in records]
    declarations = "\n".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in PREFIXES.items())
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<rdf:RDF\n{declarations}>"]
    for item in items:
        lines += _item_lines(item)
    lines += _collection_lines(records, items, top_collection)
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"


# --- reading -----------------------------------------------------------------------------


def _name(element: Element) -> str:
    """`prefix:local` for a tag in a namespace we know, else the `{uri}local` tag itself."""
    tag = element.tag
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = _URI_TO_PREFIX.get(uri)
        if prefix:
            return f"{prefix}:{local}"
    return tag


_ABOUT = f"{{{RDF}}}about"
_RESOURCE = f"{{{RDF}}}resource"


def _node_type(node: Element) -> str | None:
    """The node's class: its element name, or its `rdf:type` for `rdf:Description`."""
    name = _name(node)
    if name != "rdf:Description":
        return name
    for prop in node:
        if _name(prop) == "rdf:type":
            uri = prop.get(_RESOURCE) or ""
            for prefix_uri, prefix in _URI_TO_PREFIX.items():
                if uri.startswith(prefix_uri):
                    return f"{prefix}:{uri[len(prefix_uri) :]}"
            return uri
    return None


def _literal(prop: Element) -> str:
    return prop.text or ""


def _nested(prop: Element) -> Element | None:
    return prop[0] if len(prop) else None


def _child_literal(node: Element | None, wanted: str) -> str | None:
    if node is None:
        return None
    for prop in node:
        if _name(prop) == wanted:
            return _literal(prop)
    return None


def _creators(prop: Element, creator_type: str) -> Iterator[dict[str, str]]:
    seq = _nested(prop)
    members = [li for li in seq] if seq is not None and _node_type(seq) == "rdf:Seq" else []
    for li in members:
        person = _nested(li)
        if person is None:
            continue
        surname = _child_literal(person, "foaf:surname")
        given = _child_literal(person, "foaf:givenName")
        if given is None:
            given = _child_literal(person, "foaf:givenname")
        if given is None:
            yield {"creatorType": creator_type, "name": surname or ""}
        else:
            yield {"creatorType": creator_type, "firstName": given, "lastName": surname or ""}


def _node_to_item(node: Element) -> dict[str, Any]:
    """Item JSON from an item node, the inverse of `_item_lines`. ValueError if malformed."""
    about = node.get(_ABOUT) or ""
    item_type = _child_literal(node, "z:itemType")
    if not item_type:
        raise ValueError("no z:itemType")
    spec = zotero.schema().item_types.get(item_type)
    container_field = spec.field_for("publicationTitle") if spec else None
    publisher_field = spec.field_for("publisher") if spec else None
    item: dict[str, Any] = {
        "key": about.rpartition(_ITEM_PREFIX)[2] if _ITEM_PREFIX in about else about,
        "itemType": item_type,
        "creators": [],
        "tags": [],
    }
    for prop in node:
        name = _name(prop)
        if name in ("bib:authors", "bib:editors", "bib:contributors"):
            item["creators"] += _creators(prop, name[4:-1])
        elif name == "dcterms:isPartOf":
            title = _child_literal(_nested(prop), "dc:title")
            if title is not None and container_field:
                item[container_field] = title
        elif name == "dc:publisher":
            publisher = _nested(prop)
            value = _child_literal(publisher, "foaf:name") if publisher is not None else _literal(prop)
            if value is not None and publisher_field:
                item[publisher_field] = value
        elif name == "dc:subject" and not len(prop):
            item["tags"].append({"tag": _literal(prop)})
        elif name == "dc:identifier":
            uri = _nested(prop)
            if uri is not None and _node_type(uri) == "dcterms:URI":
                item["url"] = _child_literal(uri, "rdf:value") or ""
        elif name == "refexport:collections":
            item["collections"] = _literal(prop).split()
        elif name.startswith("z:") and name != "z:itemType":
            field_name = name[2:]
            if len(prop) and field_name.endswith("s"):
                item["creators"] += _creators(prop, field_name[:-1])
            else:
                item[field_name] = _literal(prop)
        else:
            simple = {
                "dc:title": "title",
                "dcterms:abstract": "abstractNote",
                "dc:date": "date",
                "dcterms:dateSubmitted": "accessDate",
                "dc:description": "extra",
                "dc:language": "language",
            }.get(name)
            if simple and _literal(prop):
                item[simple] = _literal(prop)
    return item


def _parse(data: bytes, name: str) -> Element:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree
    from defusedxml import DefusedXmlException

    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        message = f"refused: XML with a DTD, entities or external references ({error})"
        raise InputError(name, None, message) from None
    except ParseError as error:
        line = error.position[0] if error.position else None
        raise InputError(name, line, f"not well-formed XML: {error}") from None
    if _name(root) != "rdf:RDF":
        raise InputError(name, None, f"not RDF/XML: the root element is <{root.tag}>, not <rdf:RDF>")
    return root


def _collections(nodes: list[Element]) -> tuple[dict[str, tuple[str, ...]], dict[str, list[str]], str | None]:
    """Collection paths by key, item keys by collection key (document order), and the
    name of the single top collection (None when there are several or none)."""
    by_ref: dict[str, Element] = {node.get(_ABOUT) or "": node for node in nodes}
    parent: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for ref, node in by_ref.items():
        for prop in node:
            target = prop.get(_RESOURCE) or ""
            if _name(prop) != "dcterms:hasPart":
                continue
            if target in by_ref:
                parent.setdefault(target, ref)
            elif target.startswith(_ITEM_PREFIX) or _ITEM_PREFIX in target:
                members.setdefault(ref, []).append(target.rpartition(_ITEM_PREFIX)[2])
    paths: dict[str, tuple[str, ...]] = {}
    for ref in by_ref:
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = ref
        while current is not None and current not in seen:
            seen.add(current)
            path.insert(0, _child_literal(by_ref[current], "dc:title") or "")
            current = parent.get(current)
        paths[ref] = tuple(path)

    def key(ref: str) -> str:
        return ref.rpartition(_COLLECTION_PREFIX)[2] if _COLLECTION_PREFIX in ref else ref

    tops = [ref for ref in by_ref if ref not in parent]
    title = _child_literal(by_ref[tops[0]], "dc:title") if len(tops) == 1 else None
    return (
        {key(ref): path for ref, path in paths.items()},
        {key(ref): items for ref, items in members.items()},
        title,
    )


def read(data: bytes, name: str) -> ReadResult:
    """Read Zotero RDF written by `write_rdf` (or of the same shape): items become records,
    collection membership their `collection`/`also_in`. Bad items become problems."""
    root = _parse(data, name)
    collection_nodes = [node for node in root if _node_type(node) in ("z:Collection", "bib:Collection")]
    path_by_key, members, title = _collections(collection_nodes)
    collections_of: dict[str, list[str]] = {}
    for collection_key, item_keys in members.items():
        for item_key in item_keys:
            collections_of.setdefault(item_key, []).append(collection_key)
    result = ReadResult(title=title)
    collection_ids = {id(node) for node in collection_nodes}
    other_nodes = [node for node in root if id(node) not in collection_ids]
    for index, node in enumerate(other_nodes, start=1):
        where = f"item {index}"
        if _child_literal(node, "z:itemType") is None:
            result.problems.append(Problem(name, where, "not a Zotero item (no z:itemType)"))
            continue
        try:
            item = _node_to_item(node)
            if item["itemType"] in ("note", "attachment", "annotation"):
                result.problems.append(Problem(name, where, f"skipped a {item['itemType']} (not a citation)"))
                continue
            # Membership from the collections; our own order hint, when it names the same set, wins.
            member_of = collections_of.get(item["key"], [])
            hinted = item.get("collections")
            same_set = hinted is not None and set(hinted) == set(member_of)
            item["collections"] = hinted if same_set else member_of
            result.records.append(zotero.item_to_record(item, path_by_key))
        except (ValueError, TypeError, KeyError) as error:
            result.problems.append(Problem(name, where, f"bad item: {error}"))
    return result
