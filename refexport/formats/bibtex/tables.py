"""The BibTeX/BibLaTeX ↔ CSL tables, as data.

Sources (the anchors the mappings are learnt from, not invented):
- pandoc 2.17 `src/Text/Pandoc/Citeproc/BibTeX.hs` (`getTypeAndGenre`, `itemToReference`,
  `writeBibtexString`) and `Citeproc/Util.hs` (`toIETF`);
- citation-js `plugin-bibtex` `src/mapping/{biblatex,bibtex}.js`, `biblatexTypes.json`,
  `shared.js` (`TYPE_KEYS`, months);
- Better BibTeX `translators/bibtex/biblatex.ts` (`typeMap.csl`) and its notes on
  `@online`/`organization`;
- fiduswriter biblatex-csl-converter `src/const.ts` (`langidOptions`, `pubstateOptions`);
- biber 2.18 `biber-tool.conf`: the default data model (entry types, fields per type).
Where the anchors disagree, the choice and its reason are written beside the entry.
"""

from __future__ import annotations

DIALECTS = ("bibtex", "biblatex")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --------------------------------------------------------------------------- entry types

# Entry type (either dialect, with the aliases other tools write) -> CSL type. pandoc's
# `getTypeAndGenre` with CSL 1.0.2's newer types where pandoc 2.17 predates them
# (`software`, `periodical`, `standard`, `performance`: citation-js), and `misc` ->
# `document` (citation-js, Zotero; pandoc 2.17 writes the invalid type "").
CSL_TYPE_OF_ENTRY: dict[str, str] = {
    "article": "article-journal",  # entrysubtype magazine/newspaper: see ARTICLE_SUBTYPES
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "mvreference": "book",
    "manual": "book",
    "commentary": "book",
    "booklet": "pamphlet",
    "bookinbook": "chapter",
    "inbook": "chapter",
    "incollection": "chapter",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "webpage": "webpage",  # Papers3 (BBT's import aliases)
    "web_page": "webpage",  # Mendeley
    "patent": "patent",
    "periodical": "periodical",
    "suppperiodical": "periodical",
    "software": "software",
    "dataset": "dataset",
    "data": "dataset",  # biblatex-apa
    "unpublished": "manuscript",  # "speech" with an event: see EVENT_FIELDS
    "misc": "document",
    "artwork": "graphic",
    "image": "graphic",
    "audio": "song",
    "music": "song",
    "movie": "motion_picture",
    "video": "motion_picture",
    "jurisdiction": "legal_case",
    "legislation": "legislation",
    "legal": "treaty",
    "letter": "personal_communication",
    "letters": "personal_communication",  # biblatex-apa
    "newsarticle": "article-newspaper",  # biblatex-apa
    "presentation": "speech",  # biblatex-apa (Zotero's presentation)
    "performance": "performance",
    "review": "review",
    "standard": "standard",
}
ARTICLE_SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}
# pandoc: an @unpublished with any of these is a talk (`speech`).
EVENT_FIELDS = ("eventdate", "eventtitle", "venue")

# pandoc's `isArticle`: `number` is the issue; `isChapterlike`: `booktitle` is the container;
# book-like: `number` is the number in the series.
ARTICLE_LIKE = _words("article periodical suppperiodical review")
CHAPTER_LIKE = _words("inbook incollection inproceedings inreference bookinbook")
BOOK_LIKE = _words(
    "book collection proceedings reference mvbook mvcollection mvproceedings mvreference bookinbook "
    "inbook incollection inproceedings inreference suppbook suppcollection"
)

# CSL type -> entry type, per dialect; a type not listed is `@misc`. biblatex: BBT's
# `typeMap.csl`/citation-js, keeping to the types biber's data model gives fields to
# (`@artwork`, `@video` … have none, so every field would be invalid there).
ENTRY_TYPE_OF_CSL: dict[str, dict[str, str]] = {
    "bibtex": {
        "article": "article",
        "article-journal": "article",
        "article-magazine": "article",
        "article-newspaper": "article",
        "periodical": "article",
        "review": "article",
        "review-book": "article",
        "book": "book",
        "classic": "book",
        "chapter": "inbook",  # `incollection` when it has an editor (pandoc)
        "entry": "incollection",
        "entry-dictionary": "incollection",
        "entry-encyclopedia": "incollection",
        "paper-conference": "inproceedings",
        "pamphlet": "booklet",
        "thesis": "phdthesis",  # `mastersthesis` for a master's thesis (genre)
        "report": "techreport",
        "manuscript": "unpublished",
        "speech": "unpublished",
    },
    "biblatex": {
        "article": "article",
        "article-journal": "article",
        "article-magazine": "article",
        "article-newspaper": "article",
        "review": "article",
        "review-book": "article",
        "periodical": "periodical",
        "book": "book",
        "classic": "book",
        "chapter": "inbook",  # `incollection` when it has an editor (pandoc)
        "entry": "inreference",
        "entry-dictionary": "inreference",
        "entry-encyclopedia": "inreference",
        "paper-conference": "inproceedings",
        "pamphlet": "booklet",
        "thesis": "thesis",
        "report": "report",
        "manuscript": "unpublished",
        "speech": "unpublished",
        "patent": "patent",
        "dataset": "dataset",
        "software": "software",
        "webpage": "online",
        "post": "online",
        "post-weblog": "online",
    },
}
ENTRY_SUBTYPE_OF_CSL = {"article-magazine": "magazine", "article-newspaper": "newspaper"}
# Entry types `plain.bst` (and every classic style) defines; the bibtex dialect writes only these.
BIBTEX_STYLE_TYPES = _words(
    "article book booklet conference inbook incollection inproceedings manual mastersthesis misc "
    "phdthesis proceedings techreport unpublished"
)
# Fields biber itself maps to others (its default source map).
BIBER_FIELD_ALIASES = {
    "address": "location",
    "school": "institution",
    "annote": "annotation",
    "archiveprefix": "eprinttype",
    "journal": "journaltitle",
    "primaryclass": "eprintclass",
    "key": "sortkey",
    "pdf": "file",
}
# Types biber itself maps to others (its default source map): not worth remembering.
BIBER_TYPE_ALIASES = {
    "conference": "inproceedings",
    "electronic": "online",
    "www": "online",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "techreport": "report",
}

# --------------------------------------------------------------------------- biber's data model

# Fields valid on every entry type (biber-tool.conf `<entryfields>` without a type), the
# date fields added: biber validates `date`/`urldate`/… through their parts.
_ANY_TYPE = _words(
    "abstract annotation authortype bookpagination crossref day doi eprint eprintclass eprinttype "
    "endday endmonth endyear entryset entrysubtype execute file gender ids indextitle indexsorttitle "
    "isan ismn iswc keywords label langid langidopts library lista listb listc listd liste listf "
    "month namea nameb namec nameatype namebtype namectype nameaddon options origday origmonth "
    "origyear origlocation origpublisher origtitle pagination presort related relatedoptions "
    "relatedstring relatedtype shortauthor shorteditor shorthand shorthandintro shortjournal "
    "shortseries shorttitle sortkey sortname sortshorthand sorttitle sortyear url urlday urlmonth "
    "urlyear usera userb userc userd usere userf verba verbb verbc xdata xref year "
    "date urldate origdate eventdate"
)
_EDITORS = "editor editora editorb editorc editortype editoratype editorbtype editorctype"
_BOOK = (
    f"addendum afterword annotator author chapter commentator edition {_EDITORS} eid foreword "
    "introduction isbn language location maintitle maintitleaddon mainsubtitle note number "
    "origlanguage pages pagetotal part publisher pubstate series subtitle title titleaddon "
    "translator volume volumes"
)
_IN_BOOK = (
    f"addendum afterword annotator author booktitle bookauthor booksubtitle booktitleaddon chapter "
    f"commentator edition {_EDITORS} eid foreword introduction isbn language location "
    "mainsubtitle maintitle maintitleaddon note number origlanguage part publisher pages pubstate "
    "series subtitle title titleaddon translator volume volumes"
)
_EVENT = "eventday eventmonth eventyear eventtitle eventtitleaddon venue"
_TYPE_FIELDS = {
    "article": f"addendum annotator author commentator {_EDITORS} eid issn issue issuetitle "
    "issuesubtitle issuetitleaddon journalsubtitle journaltitle journaltitleaddon language note "
    "number origlanguage pages pubstate series subtitle title titleaddon translator version volume",
    "book": _BOOK,
    "mvbook": _BOOK,
    "inbook": _IN_BOOK,
    "bookinbook": _IN_BOOK,
    "suppbook": _IN_BOOK,
    "booklet": "addendum author chapter editor editortype eid howpublished language location note "
    "pages pagetotal pubstate subtitle title titleaddon type",
    "collection": _BOOK,
    "reference": _BOOK,
    "mvcollection": _BOOK,
    "mvreference": _BOOK,
    "incollection": _IN_BOOK,
    "suppcollection": _IN_BOOK,
    "inreference": _IN_BOOK,
    "dataset": "addendum author edition editor editortype language location note number organization "
    "publisher pubstate series subtitle title titleaddon type version",
    "manual": "addendum author chapter edition editor editortype eid isbn language location note "
    "number organization pages pagetotal publisher pubstate series subtitle title titleaddon type version",
    "misc": "addendum author editor editortype howpublished language location note organization "
    "pubstate subtitle title titleaddon type version",
    "online": "addendum author editor editortype language note organization pubstate subtitle title "
    "titleaddon version",
    "patent": "addendum author holder location note number pubstate subtitle title titleaddon type version",
    "periodical": f"addendum {_EDITORS} issn issue issuesubtitle issuetitle issuetitleaddon language "
    "note number pubstate series subtitle title titleaddon volume",
    "proceedings": f"addendum chapter editor editortype eid {_EVENT} isbn language location "
    "mainsubtitle maintitle maintitleaddon note number organization pages pagetotal part publisher "
    "pubstate series subtitle title titleaddon volume volumes",
    "inproceedings": f"addendum author booksubtitle booktitle booktitleaddon chapter editor editortype "
    f"eid {_EVENT} isbn language location mainsubtitle maintitle maintitleaddon note number "
    "organization pages part publisher pubstate series subtitle title titleaddon volume volumes",
    "report": "addendum author chapter eid institution isrn language location note number pages "
    "pagetotal pubstate subtitle title titleaddon type version",
    "thesis": "addendum author chapter eid institution language location note pages pagetotal "
    "pubstate subtitle title titleaddon type",
    "unpublished": f"addendum author {_EVENT} howpublished language location note pubstate subtitle "
    "title titleaddon type",
}
_TYPE_FIELDS["software"] = _TYPE_FIELDS["misc"]
_TYPE_FIELDS["mvproceedings"] = _TYPE_FIELDS["proceedings"]
# biber's valid fields per entry type; types biber knows without fields of their own
# (`@artwork`, `@video` …, "unsupported by the standard styles") are absent.
BIBLATEX_FIELDS: dict[str, frozenset[str]] = {
    entry_type: _words(fields) | _ANY_TYPE for entry_type, fields in _TYPE_FIELDS.items()
}
# Entry types whose title biber requires (all we write); the writer falls back to the URL.
BIBLATEX_NEEDS_TITLE = frozenset(BIBLATEX_FIELDS)

# --------------------------------------------------------------------------- fields

# Name lists (BibTeX's `and`-separated names). `author editor translator bookauthor` map to
# CSL; the rest stay `bibtex:<field>`, raw.
NAME_FIELDS = _words(
    "author editor translator bookauthor editora editorb editorc holder annotator commentator "
    "afterword foreword introduction namea nameb namec shortauthor shorteditor sortname"
)
# biblatex literal lists (`A and B`): read as CSL's `A; B` (pandoc's `getLiteralList'`).
LIST_FIELDS = _words("publisher location institution organization origpublisher origlocation")
# Fields that are not LaTeX text: kept and written exactly (BBT's `enc_verbatim`).
VERBATIM_FIELDS = _words(
    "url doi eprint file pdf verba verbb verbc urlraw crossref xref xdata ids groups related entryset "
    "options langidopts"
)
# One field, one variable, in every entry type and both dialects. (Field -> CSL variable.)
SIMPLE_FIELDS: dict[str, str] = {
    "doi": "DOI",
    "url": "URL",
    "isbn": "ISBN",
    "issn": "ISSN",
    "pmid": "PMID",  # pandoc; Zotero reads it too
    "pmcid": "PMCID",
    "abstract": "abstract",
    "library": "call-number",  # pandoc
    "series": "collection-title",
    "shorttitle": "title-short",
    "shortjournal": "container-title-short",
    "edition": "edition",
    "volume": "volume",
    "volumes": "number-of-volumes",
    "pagetotal": "number-of-pages",
    "chapter": "chapter-number",
    "part": "part",  # pandoc 2.17 joins it to the volume ("3.2"); CSL 1.0.2 has `part`
    "version": "version",
    "eventtitle": "event-title",  # CSL 1.0.2's name; pandoc 2.17 writes the older `event`
    "venue": "event-place",
    "origtitle": "original-title",
}
# Fields holding a plain identifier: not LaTeX-decoded (pandoc's `getRawField`).
RAW_TEXT_FIELDS = _words("doi url isbn issn pmid pmcid")
# Fields whose value is a page range: `--` is read as `-` (pandoc's `convertEnDash`).
RANGE_FIELDS = _words("pages")

# Text fields joined into one CSL variable, as pandoc's `concatWith` does: (variable, the main
# field, (extra field, separator) …). The extra fields are also kept raw, so the writer can
# split the variable again.
JOINED_FIELDS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("title", "title", (("subtitle", ":"), ("titleaddon", "."))),
    ("note", "note", (("addendum", "."),)),
)

# --------------------------------------------------------------------------- values

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NUMBERS: dict[str, int] = {
    name: index + 1
    for index, names in enumerate(
        [
            ("january", "janvier", "januar", "jän"),
            ("february", "fevrier", "février", "februar"),
            ("march", "mars", "marz", "märz"),
            ("april", "avril"),
            ("may", "mai"),
            ("june", "juin", "juni"),
            ("july", "juillet", "juli"),
            ("august", "aout", "août"),
            ("september", "septembre", "sept"),
            ("october", "octobre", "oktober"),
            ("november", "novembre"),
            ("december", "decembre", "décembre", "dezember"),
        ]
    )
    for name in (*names, MONTHS[index])
}

# biblatex `type` keys (localisation strings; biblatex manual §4.9.2.13, §4.9.2.20) <-> the
# English text pandoc resolves them to, which becomes CSL's `genre`.
GENRE_OF_KEY = {
    "bathesis": "Bachelor’s thesis",
    "mathesis": "Master’s thesis",
    "phdthesis": "PhD thesis",
    "candthesis": "Candidate thesis",
    "techreport": "technical report",
    "resreport": "research report",
    "software": "computer software",
    "datacd": "CD-ROM",
    "audiocd": "audio CD",
    "patent": "patent",
    "patentus": "U.S. patent",
    "patreq": "patent request",
}
KEY_OF_GENRE = {genre: key for key, genre in GENRE_OF_KEY.items()}
# BibTeX's thesis types and the genre they imply (pandoc).
THESIS_GENRE = {"phdthesis": "PhD thesis", "mastersthesis": "Master’s thesis"}

# biblatex `pubstate` keys <-> CSL `status` (biblatex-csl-converter, pandoc's localisation).
STATUS_OF_PUBSTATE = {
    "inpreparation": "in preparation",
    "submitted": "submitted",
    "forthcoming": "forthcoming",
    "inpress": "in press",
    "prepublished": "pre-published",
}
PUBSTATE_OF_STATUS = {status: key for key, status in STATUS_OF_PUBSTATE.items()}

# `eprinttype` -> URL prefix: pandoc makes the URL of an entry without one from these.
EPRINT_URLS = {
    "arxiv": "https://arxiv.org/abs/",
    "jstor": "https://www.jstor.org/stable/",
    "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/",
    "googlebooks": "https://books.google.com?id=",
}

# babel/polyglossia language names (`langid`, `hyphenation`) -> BCP 47: pandoc's `toIETF`,
# plus the Chinese and Korean names BBT writes (`chinese`, `chinese-traditional`).
BCP47_OF_LANGID = {
    "english": "en-US",
    "usenglish": "en-US",
    "american": "en-US",
    "british": "en-GB",
    "ukenglish": "en-GB",
    "canadian": "en-US",
    "australian": "en-GB",
    "newzealand": "en-GB",
    "afrikaans": "af-ZA",
    "arabic": "ar",
    "basque": "eu",
    "bulgarian": "bg-BG",
    "catalan": "ca-AD",
    "croatian": "hr-HR",
    "czech": "cs-CZ",
    "danish": "da-DK",
    "dutch": "nl-NL",
    "estonian": "et-EE",
    "finnish": "fi-FI",
    "canadien": "fr-CA",
    "acadian": "fr-CA",
    "french": "fr-FR",
    "francais": "fr-FR",
    "austrian": "de-AT",
    "naustrian": "de-AT",
    "german": "de-DE",
    "germanb": "de-DE",
    "ngerman": "de-DE",
    "greek": "el-GR",
    "polutonikogreek": "el-GR",
    "hebrew": "he-IL",
    "hungarian": "hu-HU",
    "icelandic": "is-IS",
    "italian": "it-IT",
    "japanese": "ja-JP",
    "latvian": "lv-LV",
    "lithuanian": "lt-LT",
    "magyar": "hu-HU",
    "mongolian": "mn-MN",
    "norsk": "nb-NO",
    "nynorsk": "nn-NO",
    "farsi": "fa-IR",
    "polish": "pl-PL",
    "brazil": "pt-BR",
    "brazilian": "pt-BR",
    "portugues": "pt-PT",
    "portuguese": "pt-PT",
    "romanian": "ro-RO",
    "russian": "ru-RU",
    "serbian": "sr-RS",
    "serbianc": "sr-RS",
    "slovak": "sk-SK",
    "slovene": "sl-SL",
    "spanish": "es-ES",
    "swedish": "sv-SE",
    "thai": "th-TH",
    "turkish": "tr-TR",
    "ukrainian": "uk-UA",
    "vietnamese": "vi-VN",
    "latin": "la",
    "chinese": "zh-CN",
    "chinese-simplified": "zh-CN",
    "chinese-traditional": "zh-TW",
    "korean": "ko-KR",
    # the other names Zotero's BibLaTeX export writes (its babelLanguageMap); Chinese is
    # `pinyin`, the only Chinese babel had
    "pinyin": "zh-CN",
    "thaicjk": "th-TH",
    "esperanto": "eo",
    "friulan": "fur",
    "galician": "gl",
    "hindi": "hi",
    "indonesian": "id",
    "interlingua": "ia",
    "irish": "ga",
    "lowersorbian": "dsb",
    "malay": "zlm",
    "samin": "se",
    "norwegian": "no",
    "romansh": "rm",
    "scottish": "gd",
    "turkmen": "tk",
    "uppersorbian": "hsb",
    "welsh": "cy",
}
# pandoc: `langid = {english}` with `langidopts = {variant=british}` is British English.
ENGLISH_VARIANTS = {
    "british": "british",
    "uk": "british",
    "american": "american",
    "us": "american",
    "usmax": "american",
    "australian": "australian",
    "newzealand": "newzealand",
}
# BCP 47 -> the `langid` written (BBT's choices: en-US american, zh-CN chinese …); by the full
# tag first, then by the language subtag.
LANGID_OF_BCP47 = {
    "en": "english",
    "en-us": "american",
    "en-gb": "british",
    "en-au": "australian",
    "en-ca": "canadian",
    "en-nz": "newzealand",
    "de": "german",
    "de-at": "austrian",
    "fr": "french",
    "fr-ca": "canadien",
    "pt": "portuguese",
    "pt-br": "brazilian",
    "zh": "chinese",
    "zh-cn": "chinese",
    "zh-sg": "chinese",
    "zh-hans": "chinese",
    "zh-tw": "chinese-traditional",
    "zh-hk": "chinese-traditional",
    "zh-hant": "chinese-traditional",
    "el": "greek",
    "nb": "norsk",
    "no": "norsk",
    "nn": "nynorsk",
    "hu": "magyar",
    "fa": "farsi",
    "sr": "serbian",
    "sl": "slovene",
    "ko": "korean",
    **{
        tag.split("-")[0].lower(): name
        for name, tag in BCP47_OF_LANGID.items()
        if name
        in _words(
            "afrikaans arabic basque bulgarian catalan croatian czech danish dutch estonian finnish "
            "hebrew icelandic italian japanese latvian lithuanian mongolian polish romanian russian "
            "slovak spanish swedish thai turkish ukrainian vietnamese latin"
        )
    },
}
# Language names people write in a `language` field (BibTeX's `language`, JabRef), lower-case.
BCP47_OF_LANGUAGE_NAME = dict(BCP47_OF_LANGID)

# Variables whose values a bibliography says again and again: the reader interns them (with
# names and tags: 10,000 generated entries take 4 MB less; unique values are not interned,
# they would only fill Python's table of interned strings).
REPEATED_VARIABLES = frozenset(
    "container-title container-title-short collection-title publisher publisher-place original-publisher"
    " original-publisher-place event-title event-place jurisdiction volume issue edition language genre"
    " status".split()
)
