"""Zotero RDF: RDF/XML that a real RDF parser (rdflib) reads into the triples Zotero's import
translator looks for, collections nested like the tree, and an exact read-back through our
own reader."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from refexport import formats
from refexport.errors import InputError
from refexport.formats.zotero.rdfxml import Ref, graph, parse
from refexport.model import Date, Name, Origin, Record

from conftest import sample_records
from zotero_server import synthetic_records

rdflib = pytest.importorskip("rdflib")
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef  # noqa: E402
from rdflib.container import Seq  # noqa: E402

RDF_FORMAT = formats.get("zotero-rdf")
JSON_FORMAT = formats.get("zotero")
BASE = "http://example.invalid/zotero.rdf"
Z = Namespace("http://www.zotero.org/namespaces/export#")
DC = Namespace("http://purl.org/dc/elements/1.1/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
BIB = Namespace("http://purl.org/net/biblio#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PRISM = Namespace("http://prismstandard.org/namespaces/1.2/basic/")
VCARD = Namespace("http://nwalsh.com/rdf/vCard#")


def write(records: list[Record], title: str = "Catalog") -> str:
    return "".join(RDF_FORMAT.write(records, formats.WriteOptions(title)))


def parse_graph(text: str) -> Graph:
    result = Graph()
    result.parse(data=text, format="xml", publicID=BASE)
    return result


def item_nodes(text: str) -> dict[str, URIRef]:
    """Item node by citation key (the keys are the items' `Citation Key:` lines)."""
    nodes = {}
    for node, extra in parse_graph(text).subject_objects(DC.description):
        key = str(extra).split("\n")[0].removeprefix("Citation Key: ")
        nodes[key] = node
    return nodes


def one(graph: Graph, subject: Any, predicate: URIRef) -> Any:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_sample_and_synthetic_records_read_back_exactly() -> None:
    for records in (sample_records(), synthetic_records()):
        result = RDF_FORMAT.read(write(records).encode(), "zotero.rdf")
        assert result.problems == []
        assert result.records == records
    assert RDF_FORMAT.read(write(sample_records()).encode(), "zotero.rdf").title == "Catalog"


def test_output_is_deterministic_utf8_with_declaration() -> None:
    first = write(sample_records())
    assert first == write(sample_records())
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF')
    first.encode("utf-8")  # no surrogates


def test_rdflib_sees_every_field_where_the_zotero_importer_reads_it() -> None:
    records = synthetic_records()
    text = write(records)
    g = parse_graph(text)
    nodes = item_nodes(text)
    article, book, software, blog = (
        nodes[k] for k in ("berg2020particles", "knuth1997art", "github_iovisor_bcc", "blog_zero_copy")
    )
    assert (article, RDF.type, BIB.Article) in g and one(g, article, Z.itemType) == Literal("journalArticle")
    assert (software, RDF.type, BIB.Data) in g and (blog, RDF.type, BIB.Document) in g
    journal = one(g, article, DCTERMS.isPartOf)
    assert (journal, RDF.type, BIB.Journal) in g
    assert one(g, journal, DC.title) == Literal("Journal of Names")
    assert one(g, journal, PRISM.volume) == Literal("12") and one(g, journal, PRISM.number) == Literal("3")
    assert set(g.objects(journal, DC.identifier)) == {
        Literal("ISSN 1234-5678"),
        Literal("DOI 10.1000/xyz123"),
    }
    assert one(g, journal, DCTERMS.alternative) == Literal("J. Names")
    assert one(g, article, BIB.pages) == Literal("45-67")
    assert one(g, article, DCTERMS.abstract) == Literal("On particles.")
    assert one(g, article, DC.date) == Literal("2020-05-01")
    assert one(g, article, DCTERMS.dateSubmitted) == Literal("2024-01-02")
    assert one(g, one(g, article, DC.identifier), RDF.value) == Literal("https://doi.org/10.1000/xyz123")
    assert set(g.objects(article, DC.subject)) == {Literal("names"), Literal("particles")}
    assert one(g, article, Z.language) == Literal("en")
    people = Seq(g, one(g, article, BIB.authors)).items()
    assert [
        (str(one(g, p, FOAF.surname)), [str(n) for n in g.objects(p, FOAF.givenName)]) for p in people
    ] == [
        ("van der Berg", ["Anna"]),
        ("La Fontaine", ["Jean de"]),
        ("Smith", ["John, Jr."]),
        ("World Health Organization", []),
        ("张", ["三"]),
        ("机器之心", []),
    ]
    assert len(Seq(g, one(g, article, BIB.editors)).items()) == 1
    publisher = one(g, book, DC.publisher)
    assert (publisher, RDF.type, FOAF.Organization) in g
    assert one(g, publisher, FOAF.name) == Literal("Addison-Wesley")
    assert one(g, one(g, publisher, VCARD.adr), VCARD.locality) == Literal("Reading, MA")
    assert one(g, book, PRISM.edition) == Literal("3")
    series = one(g, book, DCTERMS.isPartOf)
    assert (series, RDF.type, BIB.Series) in g and one(g, series, DC.title) == Literal("Computer Science")
    assert one(g, software, Z.versionNumber) == Literal("0.29.1")
    assert list(g.objects(software, Z.programmers))  # the primary creator type of software
    assert str(one(g, blog, DC.description)).split("\n")[1] == "Publisher: Example Press"
    container = one(g, blog, DCTERMS.isPartOf)
    assert (container, RDF.type, Z.Blog) in g and one(g, container, DC.title) == Literal("某某的博客")


def test_an_access_date_alone_is_not_taken_for_the_date() -> None:
    (page,) = [r for r in synthetic_records() if r.key == "webpage_doi"]
    g = parse_graph(write([page]))
    (node,) = g.subjects(Z.itemType, Literal("webpage"))
    assert one(g, node, DC.date) == Literal("")  # else Zotero's importer falls back to dateSubmitted
    assert one(g, node, DCTERMS.dateSubmitted) == Literal("2022-02-02")


def collection_paths(g: Graph) -> dict[Any, tuple[str, ...]]:
    """Each z:Collection's path of titles, from the hasPart nesting alone."""
    collections = set(g.subjects(RDF.type, Z.Collection))
    parent = {
        child: node
        for node in collections
        for child in g.objects(node, DCTERMS.hasPart)
        if child in collections
    }
    paths = {}
    for node in collections:
        path, current = [], node
        while current is not None:
            path.insert(0, str(one(g, current, DC.title)))
            current = parent.get(current)
        paths[node] = tuple(path)
    return paths


def test_collection_membership_equals_the_expected_tree() -> None:
    records = sample_records()
    text = write(records, "Top")
    g = parse_graph(text)
    paths = collection_paths(g)
    nodes = item_nodes(text)
    expected = {(("Top", *p[1:]), nodes[r.key]) for r in records for p in [r.collection, *r.also_in]}
    members = {
        (paths[n], child) for n in paths for child in g.objects(n, DCTERMS.hasPart) if child not in paths
    }
    assert members == expected
    children = {c for n in paths for c in g.objects(n, DCTERMS.hasPart)}
    assert [paths[n] for n in paths if n not in children] == [("Top",)]


def test_no_records_give_an_empty_top_collection() -> None:
    text = write([], "Empty")
    assert list(collection_paths(parse_graph(text)).values()) == [("Empty",)]
    result = RDF_FORMAT.read(text.encode(), "empty.rdf")
    assert result.records == [] and result.title == "Empty"


def test_xml_illegal_characters_are_dropped_and_still_read_back() -> None:
    record = Record(
        id="abc\x01def",
        key="k\x0b1",
        variables={
            "title": "ctl\x00 & <tag> \r\n line\ufffe",
            "URL": "https://example.org/?a=1&b=2",
            "author": [Name(family="O\x1f'Brien", given="X"), Name(literal="")],
            "note": "  leading and trailing  \r",
            "issued": Date.of(2020),
        },
        tags=["t\x07ag", "]]>"],
        collection=["Cat", "Sec\x02"],
        also_in=[["Cat", "Sec\x02", "Deep"]],
        origin=[Origin("f\x03.md", 2)],
        custom={"bibtex:volume": "\x04"},
    )
    text = write([record], "Cat")
    assert not any(c in text for c in "\x00\x01\x02\x03\x04\x07\x0b\x1f\ufffe")
    g = parse_graph(text)  # well-formed despite the input
    assert Literal("ctl & <tag> \r\n line") in set(g.objects(None, DC.title))
    assert RDF_FORMAT.read(text.encode(), "x.rdf").records == [record]


def canonical(triples: list[tuple[str, str, Any]]) -> Counter[tuple[str, str, str]]:
    """Triples with blank nodes as `_`, comparable across parsers."""
    return Counter(
        (
            s if not s.startswith("_:") else "_",
            p,
            o if not (isinstance(o, Ref) and o.startswith("_:")) else "_",
        )
        for s, p, o in triples
    )


def rdflib_triples(text: str) -> Counter[tuple[str, str, str]]:
    def term(value: Any) -> str:
        if isinstance(value, BNode):
            return "_"
        return str(value).removeprefix(BASE)

    return Counter((term(s), str(p), term(o)) for s, p, o in parse_graph(text))


def test_our_triple_reader_agrees_with_rdflib() -> None:
    text = write([*sample_records(), *synthetic_records()])
    ours = graph(parse(text.encode(), "x.rdf"), "x.rdf")
    triples = [(s, p, o) for s, props in ours.triples.items() for p, o in props]
    assert canonical(triples) == rdflib_triples(text)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n<unclosed>", 2),
        (b"not xml at all", 1),
    ],
)
def test_malformed_xml_is_an_input_error_with_a_line(data: bytes, line: int) -> None:
    with pytest.raises(InputError) as error:
        RDF_FORMAT.read(data, "bad.rdf")
    assert error.value.problem.file == "bad.rdf"
    assert error.value.problem.where == line


def test_wrong_root_dtd_and_deep_nesting_are_refused() -> None:
    with pytest.raises(InputError, match="root element"):
        RDF_FORMAT.read(b"<opml version='2.0'/>", "feeds.rdf")
    with pytest.raises(InputError, match="refused"):
        RDF_FORMAT.read(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "evil.rdf")
    rdf = "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' xmlns:z='http://www.zotero.org/namespaces/export#'"
    deep = "<rdf:Description><z:part>" * 500 + "x" + "</z:part></rdf:Description>" * 500
    with pytest.raises(InputError, match="nested more than"):
        RDF_FORMAT.read(f"<rdf:RDF {rdf}>{deep}</rdf:RDF>".encode(), "deep.rdf")


def test_bad_items_become_problems_and_good_ones_are_kept() -> None:
    good = sample_records()[2]
    text = write([good])
    broken = text.replace(
        "</rdf:RDF>",
        '<rdf:Description rdf:about="#item_XX"><z:itemType>webpage</z:itemType>'
        "<refexport:stash>[not json</refexport:stash></rdf:Description>\n"
        '<rdf:Description rdf:about="#item_YY"><dc:title>no type</dc:title></rdf:Description>\n'
        '<bib:Memo rdf:about="#item_ZZ"><z:itemType>note</z:itemType></bib:Memo>\n</rdf:RDF>',
    )
    result = RDF_FORMAT.read(broken.encode(), "mixed.rdf")
    assert result.records == [good]
    assert [(p.where, p.message.split(":")[0]) for p in result.problems] == [
        ("item 3", "not a Zotero item (no z"),
        ("item 2", "bad item"),
        ("item 4", "skipped a note (not a citation)"),
    ]


def test_foreign_zotero_items_keep_their_fields_in_rdf() -> None:
    import json

    item = {
        "itemType": "book",
        "title": "A Book",
        "creators": [
            {"creatorType": "author", "firstName": "Sam", "lastName": "McAuthor"},
            {"creatorType": "seriesEditor", "name": "John T. Singlefield"},
        ],
        "publisher": "Pub",
        "place": "Boston",
        "date": "2001",
        "ISBN": "978-0-00-000000-0",
        "rights": "CC-BY",
        "extra": "Citation Key: mcauthor2001\nOriginal Date: 1824",
        "tags": [{"tag": "history"}],
    }
    (record,) = JSON_FORMAT.read(json.dumps([item]).encode(), "lib.json").records
    text = write([record])
    g = parse_graph(text)
    (node,) = g.subjects(Z.itemType, Literal("book"))
    assert (node, RDF.type, BIB.Book) in g
    assert one(g, node, DC.identifier) == Literal("ISBN 978-0-00-000000-0")
    assert one(g, node, DC.rights) == Literal("CC-BY")
    assert one(g, node, Z.originalDate) == Literal("1824")
    editors = Seq(g, one(g, node, Z.seriesEditors)).items()
    assert [one(g, e, FOAF.surname) for e in editors] == [Literal("John T. Singlefield")]
    assert RDF_FORMAT.read(text.encode(), "book.rdf").records == [record]
