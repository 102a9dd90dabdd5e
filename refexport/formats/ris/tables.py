"""RIS ↔ record mapping tables (data only).

Anchors: the RIS specification (2011 tag list), Zotero's RIS translator (`RIS.js`: its
`exportTypeMap`/`importTypeMap` and the per-item-type `fieldMap`, so that Zotero files each
value where its own RIS export would have put it), and what EndNote, CNKI and NoteExpress
write (`JF`/`JO`/`JA`/`T1`/`Y1`/`N2` are read as aliases). Where a CSL variable has no
RIS tag for a type, the record's stash keeps it.
"""

from __future__ import annotations

# CSL type -> RIS TY. Chosen so that Zotero's importer makes the Zotero item type that
# corresponds to the CSL type (blog posts have BLOG; forum posts have no RIS type: Zotero
# would make ICOMM an e-mail, so they go out as ELEC, a web page, the type kept in the stash).
TYPE_TO_RIS: dict[str, str] = {
    "article": "UNPB",
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "bill": "BILL",
    "book": "BOOK",
    "chapter": "CHAP",
    "classic": "CLSWK",
    "dataset": "DATA",
    "document": "GEN",
    "entry-dictionary": "DICT",
    "entry-encyclopedia": "ENCYC",
    "figure": "FIGURE",
    "graphic": "ART",
    "hearing": "HEAR",
    "legal_case": "CASE",
    "legislation": "STAT",
    "manuscript": "MANSCPT",
    "map": "MAP",
    "motion_picture": "MPCT",
    "musical_score": "MUSIC",
    "pamphlet": "PAMP",
    "paper-conference": "CONF",
    "patent": "PAT",
    "periodical": "JFULL",
    "personal_communication": "PCOMM",
    "post": "ELEC",
    "post-weblog": "BLOG",
    "regulation": "GOVDOC",
    "report": "RPRT",
    "review": "JOUR",
    "review-book": "JOUR",
    "software": "COMP",
    "song": "SOUND",
    "speech": "SLIDE",
    "standard": "STAND",
    "thesis": "THES",
    "webpage": "ELEC",
}
# CSL types with no RIS type of their own go out as GEN (Zotero: document/journal article).
FALLBACK_RIS_TYPE = "GEN"

# RIS TY -> CSL type: the inverse of the above (each RIS type to its first CSL type), plus
# the types other programs write (EndNote's WEB/EJOUR/EBOOK …, RIS 2011's CPAPER/ECHAP …).
TYPE_FROM_RIS: dict[str, str] = {
    "ABST": "article-journal",
    "ADVS": "motion_picture",
    "CHART": "graphic",
    "CPAPER": "paper-conference",
    "CTLG": "book",
    "DBASE": "dataset",
    "EBOOK": "book",
    "ECHAP": "chapter",
    "EDBOOK": "book",
    "EJOUR": "article-journal",
    "INPR": "article",
    "JFULL": "periodical",
    "MULTI": "motion_picture",
    "SER": "book",
    "UNBILL": "bill",
    "VIDEO": "motion_picture",
    "WEB": "webpage",
    "ICOMM": "personal_communication",
    "GOVDOC": "report",
    **{ris: csl for csl, ris in reversed(TYPE_TO_RIS.items()) if ris not in ("GEN", "JOUR", "ELEC")},
    "GEN": "document",
    "JOUR": "article-journal",
    "ELEC": "webpage",
}
# An unknown TY reads as this type; the TY itself is kept in `custom["ris:TY"]`.
UNKNOWN_TYPE = "document"

# Text and number variables: CSL variable -> RIS tag, for every type ...
TEXT_TAGS: dict[str, str] = {
    "title": "TI",
    "container-title": "T2",
    "collection-title": "T3",
    "abstract": "AB",
    "publisher": "PB",
    "publisher-place": "CY",
    "edition": "ET",
    "volume": "VL",
    "issue": "IS",
    "number-of-volumes": "NV",
    "container-title-short": "J2",
    "title-short": "ST",
    "call-number": "CN",
    "archive": "DB",
    "archive_location": "AN",
    "source": "DP",
    "genre": "M3",
    "section": "SE",
    "DOI": "DO",
    "ISBN": "SN",
    "language": "LA",
    "note": "N1",
    "URL": "UR",
}
# ... and where Zotero files a tag differently for a type (None: no tag for that variable).
_JOURNAL = {"ISSN": "SN", "ISBN": None}
TYPE_TEXT_TAGS: dict[str, dict[str, str | None]] = {
    "article-journal": _JOURNAL,
    "article-magazine": _JOURNAL,
    "article-newspaper": _JOURNAL,
    "periodical": _JOURNAL,
    "review": _JOURNAL,
    "review-book": _JOURNAL,
    "book": {"collection-title": "T2", "container-title": None, "number-of-pages": "SP"},
    "thesis": {"number-of-pages": "SP"},
    "report": {"collection-title": "T2", "container-title": None, "number": "SN", "ISBN": None},
    # Zotero's computerProgram reads LA as its programming language (CSL genre) and has no
    # language field: a software record's language stays in the stash.
    "software": {
        "collection-title": "T2",
        "container-title": None,
        "version": "ET",
        "edition": None,
        "genre": "LA",
        "language": None,
    },
    "dataset": {"version": "ET", "edition": None},
    "paper-conference": {
        "event-title": "T2",
        "container-title": "C3",
        "publisher-place": "C1",
    },
}

# Name variables -> RIS tag (one name per line, "Last, First, Suffix").
NAME_TAGS: dict[str, str] = {
    "author": "AU",
    "editor": "A2",
    "collection-editor": "A3",
    "translator": "A4",
}
# Zotero reads A2 as the series editor and A3 as the editor of a book; ED (RIS 2001's editor
# tag, read by Zotero for every type) where its A2/A3 mean something else.
TYPE_NAME_TAGS: dict[str, dict[str, str]] = {
    "book": {"editor": "A3", "collection-editor": "A2"},
    "report": {"editor": "ED", "collection-editor": "A2"},
    "thesis": {"editor": "ED"},
    "webpage": {"editor": "ED"},
    "post": {"editor": "ED"},
    "post-weblog": {"editor": "ED"},
    "software": {"editor": "ED"},
}

# Tags other programs write for the same variables, read when the main tag is absent.
TEXT_ALIASES: dict[str, str] = {
    "T1": "title",
    "CT": "title",
    "JF": "container-title",
    "JO": "container-title",
    "BT": "container-title",
    "JA": "container-title-short",
    "N2": "abstract",
}
NAME_ALIASES: dict[str, str] = {"A1": "author", "ED": "editor"}

# Dates: PY holds the year, DA the date ("YYYY/MM/DD/other"); Y1 is RIS 2001's date tag.
ISSUED_TAGS = ("DA", "PY", "Y1")
ACCESSED_TAG = "Y2"

# The citation key: ID (the RIS reference ID); the stash goes in a further ID line, which
# Zotero's importer always drops (`ID: "__ignore"`) and rispy-style readers that keep one ID
# never see. M2 carries `Citation Key: key`, which Zotero files in Extra (Zotero 7 and
# Better BibTeX read the key from there).
KEY_TAG = "ID"
KEY_EXTRA_TAG = "M2"
KEY_EXTRA_PREFIX = "Citation Key: "
STASH_PREFIX = "refexport:"
TAGS_TAG = "KW"

# Where each tag goes in the entry: Zotero's export order (RIS.js `exportOrder`).
ORDER: tuple[str, ...] = tuple(
    "TY TI AU T2 A2 T3 A3 A4 ED AB C1 C2 C3 C4 C5 C6 CN CY DA PY DO DP ET VL IS SP EP J2 LA M1 M3 NV "
    "OP PB SE SN ST SV UR AN DB Y2 L1 L2 L4 N1 KW ID M2".split()
)
