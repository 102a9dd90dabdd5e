"""The format registry: detection by extension and content, one reader and writer signature."""

from __future__ import annotations

import pytest

from refexport import formats


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("refs.bib", b"@article{a, title={x}}", "bibtex"),
        ("refs.json", b'[{"id": "a", "type": "book"}]', "csljson"),
        ("refs.json", b'[{"key": "ABCD2345", "itemType": "book"}]', "zotero"),
        ("refs.json", b"garbage", "csljson"),  # the most general reader of .json explains
        ("refs.yaml", b"references:\n- id: a\n", "csl-yaml"),
        ("feeds.opml", b"<?xml version='1.0'?><opml/>", "opml"),
        ("zotero.rdf", b"<rdf:RDF></rdf:RDF>", "zotero-rdf"),
        ("list.md", b"# x\nhttps://a.example\n", "markdown"),
        ("records.jsonl", b'{"id": "a", "key": "k", "origin": []}\n', "records"),
        ("noextension", b"\xef\xbb\xbf  @book{a, title={x}}", "bibtex"),
        ("noextension", b"<?xml version='1.0'?><opml version='2.0'/>", "opml"),
        ("noextension", b"plain notes https://a.example", "markdown"),
    ],
)
def test_detect(name: str, data: bytes, expected: str) -> None:
    assert formats.detect(data, name).name == expected


def test_every_registered_module_has_the_functions_it_names() -> None:
    from importlib import import_module

    for fmt in formats.FORMATS.values():
        module = import_module(fmt.module)
        for function in (fmt.reader, fmt.writer):
            if function is not None:
                assert callable(getattr(module, function)), (fmt.name, function)


def test_readable_and_writable_lists() -> None:
    assert formats.get("biblatex").reader == formats.get("bibtex").reader  # one reader, both dialects
    assert {"bibtex", "biblatex", "csljson", "records"} <= set(formats.writable())
    assert "markdown" in formats.readable()
