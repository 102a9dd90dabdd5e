"""The Zotero client the tests use is real: Zotero's own translators import and export."""

from __future__ import annotations

import pytest

from conftest import ZoteroTranslate, ZoteroTranslateError


def test_zotero_imports_bibtex_and_exports_csl_json(zotero_translate: ZoteroTranslate) -> None:
    items = zotero_translate.import_items("@book{k, title={A Book}, author={Smith, John}, year={2020}}")
    assert [(i["itemType"], i["title"]) for i in items] == [("book", "A Book")]
    exported = zotero_translate.export("csljson", [{"itemType": "book", "title": "A Book"}])
    assert '"title": "A Book"' in exported


def test_zotero_refusals_are_errors(zotero_translate: ZoteroTranslate) -> None:
    with pytest.raises(ZoteroTranslateError, match="No suitable translators"):
        zotero_translate.import_items("this is not a bibliography")
