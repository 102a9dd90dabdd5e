"""The rules both directions share: which field the writer chooses for a variable (the
reader remembers a field only where the writer would choose another), how a title is
protected, how keywords are split and joined, what a `\\url` howpublished or an eprint says.
"""

from __future__ import annotations

import re

from refexport.formats.bibtex import tables as t
from refexport.formats.bibtex.dates import parse_edtf
from refexport.formats.bibtex.names import brace_depths, fully_braced, split_top_level
from refexport.model import Date, Record
from refexport.text.latex import from_plain, to_csl, to_plain

_URL_IN_HOWPUBLISHED = re.compile(r"\s*\\(?:url|href)\s*\{([^{}\s]*)\}.*", re.DOTALL)
_TAG_SEPARATOR = re.compile("[,;]")
_WORD = re.compile(r"\S+")


def writer_entry_type(csl_type: str, genre: str | None, has_editor: bool, dialect: str) -> str:
    if csl_type == "chapter":
        return "incollection" if has_editor else "inbook"
    entry_type = t.ENTRY_TYPE_OF_CSL[dialect].get(csl_type, "misc")
    if entry_type == "phdthesis" and genre == t.THESIS_GENRE["mastersthesis"]:
        return "mastersthesis"
    return entry_type


def langid_of(language: str | None) -> str | None:
    """The `langid` the writer derives from a BCP 47 tag (None when it has none)."""
    if not language:
        return None
    lower = language.lower()
    return t.LANGID_OF_BCP47.get(lower) or t.LANGID_OF_BCP47.get(lower.split("-")[0])


def is_english(language: str | None) -> bool:
    return bool(language) and str(language).lower().split("-")[0] == "en"


# ---- capitals of sentence-case titles

# Title fields whose capitals the writer protects: BibTeX styles lower-case a `title`, and
# pandoc (like biblatex's \MakeSentenceCase) sentence-cases `title` and `booktitle`.
# (variable, field) pairs.
PROTECTED_FIELDS = frozenset({("title", "title"), ("container-title", "booktitle")})
_TAG = re.compile(r"(<[^<>]*>)")
_PUNCTUATION = ".,:;!?()[]'\"’‘“”"
_WORD_RUN = re.compile(r"[^\W_]+")
_NOCASE = '<span class="nocase">'
_NOCASE_WORD = re.compile(r'<span class="nocase">([^\W_]+)</span>')
# Words English title case leaves in lower case (CSL's list, Chicago's prepositions).
_MINOR_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over per so than the till to "
    "up upon via vs v with yet".split()
)


def protects_case(language: str | None) -> bool:
    """Whether the writer protects the capitals of titles in this language: English. (A
    title in no known language is left to the style as it is written: most .bib files say
    no language, and their titles would all need remembering as written.)"""
    return is_english(language)


def _sentence_case(visible: str) -> bool:
    """A word title case would capitalise is in lower case (`A study of DNA`, not `A Study
    of DNA`). Words as `title_braces` counts them, so that a title is protected word by word
    or whole (one with no word in lower case), never both."""
    for word in _WORD.findall(visible):
        if word[0].islower() and word.lower() == word and word.strip(_PUNCTUATION) not in _MINOR_WORDS:
            return True
    return False


def protect_capitals(value: str) -> str:
    """A sentence-case title with each word that has a capital (but for the title's first
    letter) in a nocase span, which the writer writes as braces (`A study of {Cu}\\textsubscript
    {2}{O} in \\textit{{Nature}}`, as citation-js and BBT write it): BibTeX styles and pandoc
    then keep its case. A one-word nocase span of the value's own gets a second one (`{{DNA}}`),
    so that the reader tells it from the writer's. Other titles as they are."""
    pieces = _TAG.split(value)
    if not _sentence_case("".join(pieces[0::2])):
        return value
    pieces = _TAG.split(_NOCASE_WORD.sub(_NOCASE + _NOCASE + r"\1</span></span>", value))
    out: list[str] = []
    seen = 0
    open_spans: list[bool] = []  # for each open <span>: whether it is a nocase span
    for index, piece in enumerate(pieces):
        if index % 2:
            if piece.startswith("<span"):
                open_spans.append(piece == _NOCASE)
            elif piece == "</span>" and open_spans:
                open_spans.pop()
            out.append(piece)
            continue
        if not any(open_spans):

            def wrap(match: re.Match[str], start: int = seen) -> str:
                word = match.group()
                checked = word[1:] if start + match.start() == 0 else word
                return _NOCASE + word + "</span>" if any(ch.isupper() for ch in checked) else word

            piece = _WORD_RUN.sub(wrap, piece)
        out.append(piece)
        seen += len(pieces[index])
    return "".join(out)


def unprotect_capitals(value: str) -> str:
    """The title `protect_capitals` made `value` of (the reader's side): one nocase span
    less around each word, when the writer puts exactly these back; else `value` itself."""
    if "nocase" not in value:
        return value
    plain = _NOCASE_WORD.sub(r"\1", value)
    return plain if plain != value and protect_capitals(plain) == value else value


def title_text(raw: str, language: str | None) -> tuple[str | None, bool]:
    """A title wholly in one more brace pair (`{{…}}`): case protection of the whole title,
    read as no protection when CSL needs none (a non-English title, or one without a word
    in lower case that a style could capitalise: pandoc's rule). Returns the inside without
    those braces (None when they are kept, as a nocase span), and whether the writer will not
    put them back (`title_braces`), so that the caller keeps the title as written."""
    whole = whole_braces(raw)
    if whole is None:
        return None, False
    value, lossy = to_csl(whole)
    if _has_lowercase_word(value) and not (language and not is_english(language)):
        return None, False
    # A non-English title's brace pair is written back in BibTeX only (in BibLaTeX `langid`
    # protects it): dropping it in BibLaTeX is a documented normalisation.
    return whole, lossy or not title_braces(value, language, "bibtex")


def title_braces(title: object, language: str | None, dialect: str) -> bool:
    """Whether the writer protects a whole title with one more brace pair: BibTeX styles
    change the case of titles, CSL processors only title-case English ones (never lower
    case). So a non-English title in BibTeX (BBT's rule), and an English title in title
    case whose capitals beyond the first would be lower-cased (`LLM Inference CookBook`)."""
    if not isinstance(title, str) or not title:
        return False
    if language and not is_english(language):
        return dialect == "bibtex"
    if not is_english(language) or _has_lowercase_word(title) or "<" in title:
        return False
    return any(ch.isupper() for ch in title[1:])


def _has_lowercase_word(text: str) -> bool:
    return any(word[0].islower() for word in _WORD.findall(text))


def whole_braces(raw: str) -> str | None:
    """The inside of a value that is one brace group (`{…}` closing at the end), else None."""
    text = raw.strip()
    if text[1:2] == "\\" or not fully_braced(text):
        return None
    return text[1:-1]


def join_text(first: str, second: str, separator: str) -> str:
    """pandoc's `concatWith`: `first: second`, or `first second` after punctuation."""
    if not first:
        return second
    if not second:
        return first
    if first[-1] in "!?.,:;":
        return f"{first} {second}"
    return f"{first}{separator} {second}"


WEB_ENTRY_TYPES = frozenset({"online", "software", "dataset", "electronic", "www"})


def container_field(entry_type: str, dialect: str) -> str:
    """The field the writer puts CSL's `container-title` in, for an entry type."""
    if entry_type in t.CHAPTER_LIKE:
        return "booktitle"
    if entry_type in ("misc", "booklet", "unpublished"):
        return "howpublished"
    if entry_type in WEB_ENTRY_TYPES:
        return "organization"
    return "journaltitle" if dialect == "biblatex" else "journal"


def publisher_field(entry_type: str, dialect: str) -> str:
    """The field the writer puts CSL's `publisher` in, for an entry type."""
    if entry_type in ("phdthesis", "mastersthesis", "thesis"):
        return "institution" if dialect == "biblatex" else "school"
    if entry_type in ("techreport", "report"):
        return "institution"
    return "publisher"


def url_in_howpublished(value: str) -> str | None:
    match = _URL_IN_HOWPUBLISHED.fullmatch(value)
    return match.group(1) if match else None


def place_field(dialect: str, entry_type: str, variable: str) -> str:
    """Where the writer puts `publisher-place` (or a patent's `jurisdiction`)."""
    if variable == "jurisdiction":
        return "location"
    return "location" if dialect == "biblatex" and entry_type != "patent" else "address"


_LOOKS_LIKE_NUMBER = re.compile(r"^[A-Za-z]?\d+(?:\.\d+)?(?:\s*[-–,/]+\s*[A-Za-z]?\d+(?:\.\d+)?)?$")


def issue_field(value: str, dialect: str, entry_type: str) -> str:
    """Where the writer puts CSL's `issue`: an article's `number` (BibLaTeX: unless it is no
    number, like "Spring": BBT's rule), else `issue`."""
    if entry_type not in t.ARTICLE_LIKE:
        return "issue"
    if dialect == "bibtex" or _LOOKS_LIKE_NUMBER.match(value.strip()):
        return "number"
    return "issue"


def eprint_url(eprinttype: str | None, eprint: object) -> str | None:
    """pandoc: the URL of an entry without one, from an arXiv, JSTOR, PubMed or Google Books id."""
    if not eprinttype or not isinstance(eprint, str) or not eprint.strip():
        return None
    base = t.EPRINT_URLS.get(eprinttype.strip().lower())
    return base + eprint.strip() if base else None


def format_keywords(tags: list[str]) -> tuple[str, bool]:
    """A `keywords` field, and whether `parse_keywords` reads exactly `tags` back."""
    out: list[str] = []
    exact = True
    for tag in tags:
        text, tag_exact = from_plain(tag)
        if "," in text or ";" in text or text[:1] == "{":
            text = "{" + text + "}"
            tag_exact = False
        exact = exact and tag_exact and bool(tag)
        out.append(text)
    return ", ".join(out), exact


def parse_keywords(raw: str) -> tuple[list[str], bool]:
    """Tags of a `keywords` field: separated by `,` or `;` (biblatex, JabRef), outside braces
    (but inside one pair around the whole value, as Web of Science writes them)."""
    whole = whole_braces(raw)
    if whole is not None:
        raw = whole
    if "{" not in raw and "\\" not in raw:
        pieces = re.split(r"[,;]", raw)
    else:
        pieces = split_top_level(raw, _TAG_SEPARATOR)
    tags: list[str] = []
    lossy = False
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if piece[0] == "{" and piece[-1] == "}" and whole_braces(piece) is not None:
            piece = piece[1:-1]
        tag, tag_lossy = to_plain(piece)
        tag = " ".join(tag.split())  # a wrapped line is one space (Zotero reads them so too)
        lossy = lossy or tag_lossy
        if tag:
            tags.append(tag)
    return tags, lossy


def escape_verbatim(value: str) -> str:
    """A verbatim value as it can be written: no control characters or line breaks, and
    no braces unless they nest (BBT's `enc_verbatim`), no backslash before a brace or at the end."""
    value = re.sub("[\x00-\x1f\x7f\u2028\u2029]", "", value)
    special = "{" in value or "}" in value or value.endswith("\\")
    if special and (not _nests(value) or re.search(r"\\[{}]|\\$", value)):
        value = value.replace("{", "").replace("}", "").rstrip("\\")
    return value


def balanced_raw(value: str) -> str:
    """A field kept as written, made safe to write: braces that do not nest are dropped,
    and a line may not start with `@` (it would open an entry)."""
    if not _nests(value):
        value = value.replace("{", "").replace("}", "")
    return re.sub(r"(\n[ \t]*)@", r"\1{}@", value)


def _nests(text: str) -> bool:
    """Whether the unescaped braces of `text` pair up."""
    depth = 0
    for _, depth in brace_depths(text):
        if depth < 0:
            return False
    return depth == 0


def fits(entry_type: str, record: Record) -> bool:
    """Whether a remembered entry type still says the record's type."""
    csl_type = t.CSL_TYPE_OF_ENTRY.get(entry_type, "document")
    if csl_type == "article-journal" and record.type in ("article-magazine", "article-newspaper"):
        csl_type = record.type
    if csl_type == "manuscript" and record.type == "speech":
        csl_type = "speech"
    if csl_type != record.type:
        return False
    return csl_type == record.type


def reads_as(raw: str, field: str, value: str, language: str | None, protected: bool = False) -> bool:
    """Whether the reader reads `raw` in `field` as `value` (`protected`: a title whose
    capitals the writer protects, without a subtitle)."""
    if field == "title":
        whole, _ = title_text(raw, language)
        if whole is not None:
            raw = whole
    read = to_csl(raw)[0]
    if protected and protects_case(language):
        read = unprotect_capitals(read)
    return read == value


def split_off(value: str, extra: str, separator: str) -> str | None:
    """The part of `value` before `extra` (joined by `join_text`), or None."""
    if not extra or not value.endswith(extra):
        return None
    for head in (value[: -len(extra)].rstrip(" ").removesuffix(separator), value[: -len(extra)].rstrip(" ")):
        if head and join_text(head, extra, separator) == value:
            return head
    return None


def same_date(raw: str, date: Date) -> bool:
    return parse_edtf(raw)[0] == date
