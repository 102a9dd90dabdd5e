"""Zotero RDF export: well-formed RDF/XML that a real RDF parser (rdflib) reads into the
triples Zotero's import translator looks for, collections nested like the tree, and an
exact read-back through our own reader."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from refexport import zotero, zoterordf
from refexport.errors import InputError
from refexport.model import Name, PartialDate, Record, Source

from conftest import sample_records
from strategies import record_lists

rdflib = pytest.importorskip("rdflib")
from rdflib import RDF, Graph, Literal, Namespace, URIRef  # noqa: E402
from rdflib.container import Seq  # noqa: E402

BASE = "http://example.invalid/zotero.rdf"
Z = Namespace("http://www.zotero.org/namespaces/export#")
DC = Namespace("http://purl.org/dc/elements/1.1/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
BIB = Namespace("http://purl.org/net/biblio#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")


def parse(text: str) -> Graph:
    graph = Graph()
    graph.parse(data=text, format="xml", publicID=BASE)
    return graph


def item_node(record: Record) -> URIRef:
    return URIRef(f"{BASE}#item_{zotero.item_key(record.id)}")


def one(graph: Graph, subject: object, predicate: URIRef) -> object:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_sample_records_read_back_exactly() -> None:
    records = sample_records()
    result = zoterordf.read(zoterordf.write_rdf(records, "Catalog").encode(), "zotero.rdf")
    assert result.problems == []
    assert result.records == records
    assert result.title == "Catalog"


def test_output_is_deterministic_utf8_with_declaration() -> None:
    first = zoterordf.write_rdf(sample_records(), "Catalog")
    assert first == zoterordf.write_rdf(sample_records(), "Catalog")
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF')
    first.encode("utf-8")  # no surrogates


def test_defusedxml_parses_the_output() -> None:
    import defusedxml.ElementTree

    root = defusedxml.ElementTree.fromstring(zoterordf.write_rdf(sample_records(), "Catalog").encode())
    assert root.tag == "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


def test_rdflib_sees_every_field_where_the_zotero_importer_reads_it() -> None:
    records = sample_records()
    graph = parse(zoterordf.write_rdf(records, "Catalog"))
    webpage, blog, forum, software = (item_node(r) for r in records)

    assert (webpage, RDF.type, BIB.Document) in graph
    assert one(graph, webpage, Z.itemType) == Literal("webpage")
    assert one(graph, blog, Z.itemType) == Literal("blogPost")
    assert one(graph, forum, Z.itemType) == Literal("forumPost")
    assert (software, RDF.type, BIB.Data) in graph
    assert one(graph, software, Z.itemType) == Literal("computerProgram")

    for record in records:
        node = item_node(record)
        if record.title:
            assert one(graph, node, DC.title) == Literal(record.title)
        identifier = one(graph, node, DC.identifier)
        assert (identifier, RDF.type, DCTERMS.URI) in graph
        assert one(graph, identifier, RDF.value) == Literal(record.url)
        if record.accessed:
            assert one(graph, node, DCTERMS.dateSubmitted) == Literal(record.accessed.iso())
        if record.type != "software":
            assert one(graph, node, Z.language) == Literal(record.language)
        assert set(graph.objects(node, DC.subject)) == {Literal(t) for t in [*record.tags, "refexport"]}
        extra = str(one(graph, node, DC.description))
        assert f"Citation Key: {record.key}\n" in extra
        assert f"refexport-id: {record.id}" in extra

    # containers: the node class Zotero's importer looks for, titled with the container
    for node, container_class, title in [
        (webpage, Z.Website, "微信公众号"),
        (blog, Z.Blog, "Blog & Co"),
        (forum, Z.Forum, "知乎专栏"),
    ]:
        container = one(graph, node, DCTERMS.isPartOf)
        assert (container, RDF.type, container_class) in graph
        assert one(graph, container, DC.title) == Literal(title)
    # computerProgram has neither a container nor a language field: both ride in the stash line
    assert list(graph.objects(software, DCTERMS.isPartOf)) == []
    assert list(graph.objects(software, Z.language)) == []
    assert '"container": "GitHub"' in str(one(graph, software, DC.description))

    # dates: issued as dc:date; an access date without issued gets an empty dc:date so that
    # Zotero does not take the access date for the publication date
    assert one(graph, blog, DC.date) == Literal("2018-03")
    assert one(graph, webpage, DC.date) == Literal("")
    assert list(graph.objects(forum, DC.date)) == []

    # creators: an rdf:Seq of foaf:Person, in order; single-field names have no given name
    authors = one(graph, blog, BIB.authors)
    assert (authors, RDF.type, RDF.Seq) in graph
    people = Seq(graph, authors).items()
    assert len(people) == 2
    assert all((person, RDF.type, FOAF.Person) in graph for person in people)
    assert one(graph, people[0], FOAF.surname) == Literal("机器之心")
    assert list(graph.objects(people[0], FOAF.givenName)) == []
    assert one(graph, people[1], FOAF.surname) == Literal("van Gogh")
    assert one(graph, people[1], FOAF.givenName) == Literal("Vincent")


def collection_paths(graph: Graph) -> dict[object, tuple[str, ...]]:
    """Each z:Collection's path of titles, from the hasPart nesting alone."""
    collections = set(graph.subjects(RDF.type, Z.Collection))
    parent = {
        child: node
        for node in collections
        for child in graph.objects(node, DCTERMS.hasPart)
        if child in collections
    }
    paths = {}
    for node in collections:
        path, current = [], node
        while current is not None:
            path.insert(0, str(one(graph, current, DC.title)))
            current = parent.get(current)
        paths[node] = tuple(path)
    return paths


def test_collection_membership_equals_the_expected_tree() -> None:
    records = sample_records()
    graph = parse(zoterordf.write_rdf(records, "Top"))
    paths = collection_paths(graph)
    # the catalog title (first path element) is replaced by the top collection name
    expected = {
        (("Top", *path[1:]), item_node(record))
        for record in records
        for path in [record.collection, *record.also_in]
    }
    members = {
        (paths[node], child)
        for node in paths
        for child in graph.objects(node, DCTERMS.hasPart)
        if child not in paths
    }
    assert members == expected
    assert set(paths.values()) == {
        ("Top",),
        ("Top", "并行 & 框架 & 优化"),
        ("Top", "并行 & 框架 & 优化", "Sub"),
        ("Top", "Other section"),
        ("Top", "Tools"),
    }
    # exactly one top collection: the only one no other collection has as a part
    children = {c for node in paths for c in graph.objects(node, DCTERMS.hasPart)}
    assert [paths[n] for n in paths if n not in children] == [("Top",)]


def test_no_records_give_an_empty_top_collection() -> None:
    text = zoterordf.write_rdf([], "Empty")
    graph = parse(text)
    assert list(collection_paths(graph).values()) == [("Empty",)]
    result = zoterordf.read(text.encode(), "empty.rdf")
    assert result.records == [] and result.title == "Empty"


def awkward_record() -> Record:
    return Record(
        id="abc\x01def",
        key="k\x0b1",
        title="ctl\x00 & <tag> \r\n line\ufffe",
        url="https://example.org/?a=1&b=2",
        authors=[Name(family="O\x1f'Brien", given=""), Name(family=None, given=None), Name(literal="")],
        note="  leading and trailing  \r",
        tags=["t\x07ag", "]]>"],
        collection=["Cat", "Sec\x02"],
        also_in=[["Cat", "Sec\x02", "Deep"]],
        issued=PartialDate(2020),
        source=[Source("f\x03.md", 2, None)],
        extra={"csl:volume": "\x04", "zotero:extra": "user line\r\nsecond"},
    )


def test_xml_illegal_characters_are_stripped_and_still_read_back() -> None:
    record = awkward_record()
    text = zoterordf.write_rdf([record], "Cat")
    assert not any(c in text for c in "\x00\x01\x02\x03\x04\x07\x0b\x1f\ufffe")
    graph = parse(text)  # well-formed despite the input
    assert one(graph, item_node(record), DC.title) == Literal("ctl & <tag> \r\n line")
    assert zoterordf.read(text.encode(), "x.rdf").records == [record]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_lists())
def test_arbitrary_records_round_trip(records: list[Record]) -> None:
    text = zoterordf.write_rdf(records, "Top")
    result = zoterordf.read(text.encode(), "zotero.rdf")
    assert result.problems == []
    assert result.records == records
    parse(text)  # and rdflib accepts it


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n<unclosed>", 2),
        (b"not xml at all", 1),
    ],
)
def test_malformed_xml_is_an_input_error_with_a_line(data: bytes, line: int) -> None:
    with pytest.raises(InputError) as error:
        zoterordf.read(data, "bad.rdf")
    assert error.value.problem.file == "bad.rdf"
    assert error.value.problem.where == line


def test_wrong_root_and_dtd_are_refused() -> None:
    with pytest.raises(InputError, match="root element"):
        zoterordf.read(b"<opml version='2.0'/>", "feeds.rdf")
    with pytest.raises(InputError, match="refused"):
        zoterordf.read(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "evil.rdf")


def test_bad_items_become_problems_and_good_ones_are_kept() -> None:
    good = sample_records()[2]
    text = zoterordf.write_rdf([good], "Catalog")
    broken_stash = text.replace(
        "</rdf:RDF>",
        '<rdf:Description rdf:about="#item_XX"><z:itemType>webpage</z:itemType>'
        "<dc:description>refexport-data: [not json</dc:description></rdf:Description>\n"
        '<rdf:Description rdf:about="#item_YY"><dc:title>no type</dc:title></rdf:Description>\n</rdf:RDF>',
    )
    result = zoterordf.read(broken_stash.encode(), "mixed.rdf")
    assert result.records == [good]
    assert [p.where for p in result.problems] == ["item 2", "item 3"]
    assert "bad item" in result.problems[0].message
    assert "no z:itemType" in result.problems[1].message


def test_foreign_zotero_fields_are_written_as_z_properties_and_read_back() -> None:
    # a Zotero book as the Web API gives it: fields the model lacks end up in extra["zotero:*"]
    item = {
        "key": "BCDE3456",
        "itemType": "book",
        "title": "A Book",
        "creators": [
            {"creatorType": "author", "firstName": "Sam", "lastName": "McAuthor"},
            {"creatorType": "editor", "name": "John T. Singlefield"},
        ],
        "publisher": "Pub",
        "place": "Boston",
        "date": "2001",
        "ISBN": "978-0-00-000000-0",
        "extra": "Original Date: 1824",
        "tags": [{"tag": "history"}],
    }
    record = zotero.item_to_record(item)
    record.collection = ["Catalog"]
    text = zoterordf.write_rdf([record], "Catalog")
    graph = parse(text)
    node = item_node(record)
    assert (node, RDF.type, BIB.Book) in graph
    assert one(graph, node, Z.place) == Literal("Boston")
    assert one(graph, node, Z.ISBN) == Literal("978-0-00-000000-0")
    publisher = one(graph, node, DC.publisher)
    assert (publisher, RDF.type, FOAF.Organization) in graph
    assert one(graph, publisher, FOAF.name) == Literal("Pub")
    editors = Seq(graph, one(graph, node, BIB.editors)).items()
    assert [one(graph, e, FOAF.surname) for e in editors] == [Literal("John T. Singlefield")]
    assert "Original Date: 1824" in str(one(graph, node, DC.description))
    assert zoterordf.read(text.encode(), "book.rdf").records == [record]
