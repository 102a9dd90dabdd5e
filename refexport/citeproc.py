"""Formatted references: CSL-JSON items as a bibliography in a CSL style.

The engine is pandoc's citeproc (jgm/citeproc), run as one `pandoc` process per call: the
pandoc binary of the `pypandoc-binary` wheel (`pip install 'refexport[cite]'`), else
`$REFEXPORT_PANDOC`, else `pandoc` on PATH. It was measured against citeproc-py and
citeproc-js on the CSL test suite and on our own exports (bench/eval_cite_engines.py,
README "Formatted references"). pandoc reads a JSON document that cites every item and
answers with its AST; the bibliography's entries are rendered here from that AST as plain
text, HTML (citeproc-js's markup conventions) or Markdown.

Styles that declare a per-language layout (GB/T 7714's CSL-M `<layout locale="en">`, which
pandoc cannot parse) get it here: entries whose `language` is not the style's language are
rendered in a second pass with the English locale, so an English entry reads `et al.` and a
Chinese one `等`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, Literal

from refexport.errors import OutputError
from refexport.resources import cache_dir, data_dir

Format = Literal["text", "html", "markdown"]
FORMATS: tuple[str, ...] = ("text", "html", "markdown")

# Bundled styles (data/styles, CC BY-SA 3.0, from citation-style-language/styles): name -> file.
STYLES: dict[str, str] = {
    "gb-t-7714-2015-numeric": "china-national-standard-gb-t-7714-2015-numeric.csl",
    "gb-t-7714-2015-author-date": "china-national-standard-gb-t-7714-2015-author-date.csl",
    "apa": "apa.csl",
    "ieee": "ieee.csl",
    "chicago-author-date": "chicago-author-date.csl",
}
DEFAULT_STYLE = "gb-t-7714-2015-numeric"
# Styles whose authors ask for CSL-M's per-language layout (a commented-out
# `<layout locale="en">` in the file): entries in another language use this locale.
_FOREIGN_LOCALE: dict[str, str] = {
    "gb-t-7714-2015-numeric": "en-US",
    "gb-t-7714-2015-author-date": "en-US",
}
_LEFT_MARGIN = "csl-left-margin"
_BLOCK_CLASSES = ("csl-left-margin", "csl-right-inline", "csl-block", "csl-indent")


class CiteError(OutputError):
    """The engine is missing or failed, or the style cannot be found: the bibliography cannot
    be written (one line, exit status 2)."""


def style_file(style: str) -> Path:
    """A bundled style's file by name, or `style` itself when it is a `.csl` file path."""
    if style in STYLES:
        return data_dir() / "styles" / STYLES[style]
    path = Path(style)
    if path.suffix == ".csl" and path.is_file():
        return path
    names = ", ".join(STYLES)
    raise CiteError(f"unknown style {style!r}: give one of {names} or a .csl file")


def style_title(path: Path) -> str:
    """The `<info><title>` of a CSL style (the file name when it has none)."""
    from defusedxml.ElementTree import fromstring

    try:
        title = fromstring(path.read_bytes()).find(f"{{{_CSL_NS}}}info/{{{_CSL_NS}}}title")
    except Exception:  # any unreadable style is named by its file
        return path.stem
    return title.text.strip() if title is not None and title.text else path.stem


def pandoc_binary() -> str:
    """The pandoc that formats references (see the module docstring for the order)."""
    override = os.environ.get("REFEXPORT_PANDOC")
    if override:
        return override
    # Found without importing pypandoc (its import costs start-up time we do not need).
    spec = importlib.util.find_spec("pypandoc")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / "files" / "pandoc"
            if candidate.is_file():
                return str(candidate)
    found = shutil.which("pandoc")
    if found:
        return found
    raise CiteError("formatted references need pandoc: pip install 'refexport[cite]'")


def bibliography(
    items: Sequence[dict[str, Any]], style: str, locale: str | None = None, fmt: Format = "text"
) -> list[str]:
    """The formatted bibliography of CSL-JSON `items`, one string per entry, in the style's
    order. `locale` overrides the style's default locale."""
    return [text for _, text in entries(items, style, locale, fmt)]


def entries(
    items: Sequence[dict[str, Any]],
    style: str,
    locale: str | None = None,
    fmt: Format = "text",
    number: bool = True,
) -> list[tuple[str, str]]:
    """(item id, formatted entry) pairs in bibliography order. `number=False` is for entries
    shown each on its own (a catalog page): no left-margin label (`[12]` in numeric styles),
    the items' own order, and large lists formatted in parallel chunks."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    path = style_file(style)
    engine_items = [_engine_item(item) for item in items]
    foreign_locale = _FOREIGN_LOCALE.get(style) if locale is None or locale.startswith("zh") else None
    foreign = {str(i["id"]) for i in engine_items if foreign_locale and not _in_chinese(i)}
    if number:
        rendered = _run(engine_items, path, locale, fmt, number)
        if foreign:
            # The whole list again in the other locale (numbers follow the list's order);
            # only the foreign entries are taken from this pass.
            again = dict(_run(engine_items, path, foreign_locale, fmt, number))
            rendered = [(key, again[key] if key in foreign else text) for key, text in rendered]
        return rendered
    return _standalone_entries(engine_items, path, locale, foreign_locale, foreign, fmt)


def _standalone_entries(
    items: list[dict[str, Any]],
    path: Path,
    locale: str | None,
    foreign_locale: str | None,
    foreign: set[str],
    fmt: Format,
) -> list[tuple[str, str]]:
    """Unnumbered entries, each as if it were alone (no year-suffix or name disambiguation,
    which also costs pandoc 3.6x the time), memoised on disk per item, style, locale and
    engine: a page rebuilt after a few new links formats only those."""
    from refexport.memo import Memo

    memo = Memo(None if os.environ.get("REFEXPORT_NO_CACHE") else cache_dir() / "references.sqlite")
    try:
        with tempfile.TemporaryDirectory(prefix="refexport-style-") as folder:
            style = _without_disambiguation(path, Path(folder))
            basis = f"{_engine_identity()}|{hashlib.sha256(style.read_bytes()).hexdigest()}|{fmt}"
            material = {
                str(i["id"]): f"{basis}|{foreign_locale if str(i['id']) in foreign else locale}|"
                + json.dumps(i, sort_keys=True, ensure_ascii=False)
                for i in items
            }
            digests = {key: hashlib.sha256(text.encode()).hexdigest() for key, text in material.items()}
            memo.prefetch(digests.values())
            missing = [i for i in items if memo.known(digests[str(i["id"])]) is None]
            jobs = [
                (chunk, chunk_locale)
                for subset, chunk_locale in (
                    ([i for i in missing if str(i["id"]) not in foreign], locale),
                    ([i for i in missing if str(i["id"]) in foreign], foreign_locale),
                )
                for chunk in _chunks(subset)
            ]
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                for part in pool.map(lambda job: _run(job[0], style, job[1], fmt, False), jobs):
                    for key, text in part:
                        memo.remember(digests[key], text)
        found = [(str(i["id"]), memo.known(digests[str(i["id"])])) for i in items]
    finally:
        memo.save()
    return [(key, text) for key, text in found if text is not None]


def _engine_identity() -> str:
    """Which pandoc (path, size, time): a new engine formats everything afresh."""
    binary = pandoc_binary()
    try:
        stat = Path(binary).stat()
    except OSError:
        return binary
    return f"{binary}:{stat.st_size}:{stat.st_mtime_ns}"


_CSL_NS = "http://purl.org/net/xbiblio/csl"


def _without_disambiguation(path: Path, folder: Path) -> Path:
    """A copy of the style whose `<citation>` asks for no disambiguation."""
    from xml.etree import ElementTree

    from defusedxml.ElementTree import fromstring

    ElementTree.register_namespace("", _CSL_NS)
    try:
        root = fromstring(path.read_bytes())
    except ElementTree.ParseError as error:
        raise CiteError(f"{path}: not a CSL style ({error})") from None
    for citation in root.iter(f"{{{_CSL_NS}}}citation"):
        for attribute in list(citation.attrib):
            if attribute.startswith("disambiguate-"):
                del citation.attrib[attribute]
    copy = folder / path.name
    copy.write_bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True))
    return copy


# pandoc's time per item grows with the list (3.9: 0.18 ms per item at 4,000 items, more
# beyond); chunks this size keep it flat and let the cores share the work.
_CHUNK = 3000


def _chunks(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    count = -(-len(items) // _CHUNK)
    size = -(-len(items) // count) if count else 0
    return [items[start : start + size] for start in range(0, len(items), size or 1)]


def _in_chinese(item: dict[str, Any]) -> bool:
    return str(item.get("language", "zh")).lower().startswith("zh")


def join(formatted: Sequence[str], fmt: Format) -> str:
    """A whole bibliography file: text one entry a line, Markdown one a paragraph, HTML as
    citeproc-js's `csl-bib-body` div."""
    if fmt == "html":
        body = "".join(f'  <div class="csl-entry">{entry}</div>\n' for entry in formatted)
        return f'<div class="csl-bib-body">\n{body}</div>\n'
    separator = "\n\n" if fmt == "markdown" else "\n"
    return separator.join(formatted) + "\n" if formatted else ""


def _engine_item(item: dict[str, Any]) -> dict[str, Any]:
    """What the engine needs of an item: `custom` (refexport's bookkeeping) is never printed,
    and CJK names are given as one family name (see `_cjk_name`)."""
    engine_item = {key: value for key, value in item.items() if key != "custom"}
    for variable in _NAME_VARIABLES:
        names = engine_item.get(variable)
        if isinstance(names, list):
            engine_item[variable] = [_cjk_name(name) for name in names]
    return engine_item


_NAME_VARIABLES = ("author", "editor", "translator", "container-author", "collection-editor")
_CJK = re.compile(r"^[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f·・]+$")


def _cjk_name(name: Any) -> Any:
    """`{"family": "李", "given": "小龙"}` -> `{"family": "李小龙"}`. pandoc (3.9) prints a
    CJK given name like an initial in styles that initialise (APA: `李小龙., 王芳., & 钱五.`);
    as one family name it prints `李小龙, 王芳, & 钱五.`, as citeproc-js does. CJK names are
    written family first without a space either way, so nothing else changes."""
    if not isinstance(name, dict) or set(name) != {"family", "given"}:
        return name
    family, given = name["family"], name["given"]
    if isinstance(family, str) and isinstance(given, str) and _CJK.match(family + given):
        return {"family": family + given}
    return name


def _run(
    items: Sequence[dict[str, Any]], style: Path, locale: str | None, fmt: Format, number: bool
) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="refexport-cite-") as folder:
        references = Path(folder) / "references.json"
        references.write_text(json.dumps(list(items), ensure_ascii=False), encoding="utf-8")
        document = _document(locale)
        # The files as options, not metadata: pandoc reads metadata as Markdown, and a path
        # like /tmp/refexport-cite-_x1_y/… lost its underscores to emphasis (a random failure)
        options = [f"--bibliography={references}", f"--csl={style}"]
        try:
            completed = subprocess.run(
                [pandoc_binary(), "-f", "markdown", "-t", "json", "--citeproc", *options],
                input=document.encode("utf-8"),
                capture_output=True,
                check=False,
            )
        except OSError as error:
            raise CiteError(f"cannot run pandoc: {error}") from None
    if completed.returncode != 0:
        raise CiteError(f"pandoc failed: {_pandoc_message(completed.stderr)}")
    return entries_from_pandoc(json.loads(completed.stdout), fmt, number)


def _document(locale: str | None) -> str:
    """A Markdown document with only a metadata block: its bibliography holds every item
    (`nocite: @*`), in the file's order, which numeric styles number. (Citing each item in
    the body instead makes pandoc 3.9 quadratic: 2,000 items took 2.0 s against 0.37 s.)
    Markdown, not pandoc's JSON AST, as input: any pandoc ≥ 2.11 reads it, whatever its AST
    version. JSON strings are YAML scalars."""
    meta = {
        "nocite": "@*",
        "link-bibliography": False,
    }
    if locale:
        meta["lang"] = locale
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def entries_from_pandoc(ast: dict[str, Any], fmt: Format, number: bool = True) -> list[tuple[str, str]]:
    """(id, entry) for each entry of the bibliography in a pandoc JSON AST made with
    `--citeproc` (its `refs` div holds one `ref-<id>` div per entry)."""
    for block in ast.get("blocks", []):
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            return [_entry(div, fmt, number) for div in block["c"][1] if div["t"] == "Div"]
    return []


def _entry(div: dict[str, Any], fmt: Format, number: bool) -> tuple[str, str]:
    (identifier, _, _), blocks = div["c"]
    inlines = [inline for block in blocks if block["t"] in ("Para", "Plain") for inline in block["c"]]
    if not number:  # drop the label, keep the rest of the entry out of its alignment block
        inlines = [i for i in inlines if not (i["t"] == "Span" and _LEFT_MARGIN in i["c"][0][1])]
        if len(inlines) == 1 and inlines[0]["t"] == "Span" and "csl-right-inline" in inlines[0]["c"][0][1]:
            inlines = inlines[0]["c"][1]
    renderer = {"text": _Text, "html": _Html, "markdown": _Markdown}[fmt]()
    return identifier.removeprefix("ref-"), renderer.render(inlines).strip()


class _Text:
    """Plain text: markup dropped; a left-margin label is followed by a space (as citeproc-js
    does in its text format)."""

    def render(self, inlines: list[dict[str, Any]]) -> str:
        return "".join(self.inline(i) for i in inlines)

    def inline(self, node: dict[str, Any]) -> str:
        kind = node["t"]
        if kind == "Str":
            return self.text(node["c"])
        if kind in ("Space", "SoftBreak"):
            return " "
        if kind == "LineBreak":
            return "\n"
        if kind in ("Code", "Math"):
            return self.text(node["c"][1])
        if kind == "Quoted":
            opening, closing = ("“", "”") if node["c"][0]["t"] == "DoubleQuote" else ("‘", "’")
            return opening + self.render(node["c"][1]) + closing
        if kind in ("Span", "Link", "Cite"):
            content = node["c"][1]
            classes = node["c"][0][1] if kind == "Span" else []
            return self.span(classes, self.render(content))
        if kind == "Note":
            return ""
        return self.styled(kind, self.render(node["c"]))

    def text(self, value: str) -> str:
        return value

    def span(self, classes: list[str], content: str) -> str:
        return content.rstrip() + " " if _LEFT_MARGIN in classes else content

    def styled(self, kind: str, content: str) -> str:
        return content


class _Html(_Text):
    """citeproc-js's HTML: `<i>`, `<b>`, small caps as a style, `&#38;`-style entities, the
    second-field-align blocks as `csl-*` divs, italics inside italics set upright."""

    _TAGS: ClassVar[dict[str, str]] = {
        "Strong": "b",
        "Underline": "u",
        "Superscript": "sup",
        "Subscript": "sub",
    }

    def __init__(self) -> None:
        self.italic = False
        self.small_caps = False

    def inline(self, node: dict[str, Any]) -> str:
        kind = node["t"]
        if kind == "Emph":
            return self.flipped("italic", "<i>", "font-style:normal;", node["c"])
        if kind == "SmallCaps":
            return self.flipped("small_caps", '<span style="font-variant:small-caps;">', "", node["c"])
        return super().inline(node)

    def flipped(self, flag: str, opening: str, upright: str, content: list[dict[str, Any]]) -> str:
        inside = getattr(self, flag)
        setattr(self, flag, not inside)
        text = self.render(content)
        setattr(self, flag, inside)
        if inside:
            return f'<span style="{upright or "font-variant:normal;"}">{text}</span>'
        return f"{opening}{text}{'</i>' if opening == '<i>' else '</span>'}"

    def text(self, value: str) -> str:
        return value.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")

    def span(self, classes: list[str], content: str) -> str:
        for name in _BLOCK_CLASSES:
            if name in classes:
                return f'<div class="{name}">{content}</div>'
        return content

    def styled(self, kind: str, content: str) -> str:
        tag = self._TAGS.get(kind)
        return f"<{tag}>{content}</{tag}>" if tag else content


# CommonMark: backslash-escape the ASCII punctuation that could start or end markup.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!])")


class _Markdown(_Text):
    """CommonMark: `*italic*`, `**bold**`, `<sup>`/`<sub>` as inline HTML."""

    _MARKS: ClassVar[dict[str, tuple[str, str]]] = {
        "Emph": ("*", "*"),
        "Strong": ("**", "**"),
        "Superscript": ("<sup>", "</sup>"),
        "Subscript": ("<sub>", "</sub>"),
    }

    def text(self, value: str) -> str:
        return _MARKDOWN_SPECIAL.sub(r"\\\1", value)

    def styled(self, kind: str, content: str) -> str:
        opening, closing = self._MARKS.get(kind, ("", ""))
        return f"{opening}{content}{closing}" if content.strip() else content


def _pandoc_message(stderr: bytes) -> str:
    """pandoc's own message, without the GHC backtrace it may print after it."""
    lines = stderr.decode("utf-8", errors="replace").strip().splitlines()
    kept = [line for line in lines if not line.startswith(" ") and "backtrace" not in line.lower()]
    return "\n".join(kept or lines)[:500]
