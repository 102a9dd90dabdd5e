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

import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from refexport.resources import data_dir

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
_PANDOC_API = [1, 23, 1, 1]
_LEFT_MARGIN = "csl-left-margin"
_BLOCK_CLASSES = ("csl-left-margin", "csl-right-inline", "csl-block", "csl-indent")


class CiteError(Exception):
    """The engine is missing or failed, or the style cannot be found."""


def style_file(style: str) -> Path:
    """A bundled style's file by name, or `style` itself when it is a `.csl` file path."""
    if style in STYLES:
        return data_dir() / "styles" / STYLES[style]
    path = Path(style)
    if path.suffix == ".csl" and path.is_file():
        return path
    names = ", ".join(STYLES)
    raise CiteError(f"unknown style {style!r}: give one of {names} or a .csl file")


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
    """(item id, formatted entry) pairs in bibliography order. `number=False` leaves out the
    left-margin label (`[12]` in numeric styles), for an entry copied on its own."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    path = style_file(style)
    items = [_engine_item(item) for item in items]
    rendered = _run(items, path, locale, fmt, number)
    foreign_locale = _FOREIGN_LOCALE.get(style) if locale is None or locale.startswith("zh") else None
    if foreign_locale:
        foreign = [item for item in items if not str(item.get("language", "zh")).lower().startswith("zh")]
        if foreign:
            # A second pass in the other locale; only the foreign entries are taken from it.
            # Numbered entries need the whole list again (the numbers follow citation order);
            # unnumbered ones only the foreign items.
            wanted = {str(item["id"]) for item in foreign}
            again = dict(_run(items if number else foreign, path, foreign_locale, fmt, number))
            rendered = [(key, again[key] if key in wanted else text) for key, text in rendered]
    return rendered


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
        document = _document([str(item["id"]) for item in items], references, style, locale)
        try:
            completed = subprocess.run(
                [pandoc_binary(), "-f", "json", "-t", "json", "--citeproc"],
                input=json.dumps(document).encode("utf-8"),
                capture_output=True,
                check=False,
            )
        except OSError as error:
            raise CiteError(f"cannot run pandoc: {error}") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", errors="replace").strip()
        raise CiteError(f"pandoc failed: {message[-500:]}")
    return entries_from_pandoc(json.loads(completed.stdout), fmt, number)


def _document(ids: list[str], references: Path, style: Path, locale: str | None) -> dict[str, Any]:
    """A pandoc document citing each item once, in order (numeric styles number them so)."""

    def string(text: str) -> dict[str, Any]:
        return {"t": "MetaString", "c": text}

    meta: dict[str, Any] = {
        "bibliography": string(str(references)),
        "csl": string(str(style)),
        "link-bibliography": {"t": "MetaBool", "c": False},
    }
    if locale:
        meta["lang"] = string(locale)
    cites = [
        {
            "t": "Cite",
            "c": [
                [
                    {
                        "citationId": key,
                        "citationPrefix": [],
                        "citationSuffix": [],
                        "citationMode": {"t": "NormalCitation"},
                        "citationNoteNum": index,
                        "citationHash": 0,
                    }
                ],
                [],
            ],
        }
        for index, key in enumerate(ids, start=1)
    ]
    return {"pandoc-api-version": _PANDOC_API, "meta": meta, "blocks": [{"t": "Para", "c": cites}]}


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
    if not number:
        inlines = [i for i in inlines if not (i["t"] == "Span" and _LEFT_MARGIN in i["c"][0][1])]
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
