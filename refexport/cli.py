"""The command line: parses arguments and calls library functions, nothing more."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from refexport import __version__
from refexport.errors import InputError
from refexport.fileio import cyclic_gc_paused
from refexport.formats import READERS, WRITERS, write_any

INPUT_FORMATS = list(READERS)
OUTPUT_FORMATS = list(WRITERS)

EXAMPLES = """\b
Examples:
  refexport bibtex > refs.bib              the bundled reading list as BibTeX
  refexport biblatex -o refs.bib           BibLaTeX (@online, langid) into a file
  refexport --catalog notes.md csljson     your own Markdown catalog as CSL-JSON
  refexport records | head -n 3            the records as JSON Lines
  refexport opml --feeds --feed-base https://rsshub.example.org
  refexport convert old.bib --to csljson -o refs.json
  refexport markdown --style list          the catalog as a Markdown list
  refexport build --out exports            every export of the catalog
  refexport zotero sync --dry-run          what a Zotero sync would change

\b
Exit status: 0 success; 1 some entries were skipped (each reported on stderr as
file:line: reason, the rest written); 2 the input was refused (nothing written).
"""


def _common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--catalog, --from, -o and --strict work before or after the command name."""
    command = click.option(
        "--strict", is_flag=True, default=None, help="Refuse the whole input when any entry is bad."
    )(command)
    command = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        help="Write here (atomically) instead of standard output.",
    )(command)
    command = click.option(
        "--from",
        "input_format",
        type=click.Choice(INPUT_FORMATS),
        help="Input format of the catalogs (default: by extension or content).",
    )(command)
    command = click.option(
        "--catalog",
        "catalogs",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="Catalog to read (repeatable): Markdown, .bib, CSL-JSON/YAML, OPML, "
        "records, Zotero JSON or RDF. Default: the bundled reading list.",
    )(command)
    return command


def _settings(
    ctx: click.Context,
    catalogs: tuple[str, ...],
    input_format: str | None,
    output: str | None,
    strict: bool | None,
) -> dict[str, Any]:
    """Options given after the command name win over the same ones given before it."""
    obj: dict[str, Any] = ctx.find_root().obj
    if catalogs:
        obj["catalogs"] = obj["catalogs"] + catalogs
    if input_format:
        obj["input_format"] = input_format
    if output:
        obj["output"] = output
    if strict is not None:
        obj["strict"] = strict
    return obj


@click.group(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@_common_options
@click.version_option(__version__, prog_name="refexport")
@click.pass_context
def cli(
    ctx: click.Context,
    catalogs: tuple[str, ...],
    input_format: str | None,
    output: str | None,
    strict: bool | None,
) -> None:
    """Turn Markdown reading lists into citation records and export them to
    BibTeX/BibLaTeX, CSL-JSON, OPML and Zotero."""
    ctx.obj = {
        "catalogs": catalogs,
        "input_format": input_format,
        "output": output,
        "strict": bool(strict),
        "problems": 0,
    }
    ctx.obj["load_records"] = lambda: _load(ctx.obj)


def _load(obj: dict[str, Any], inputs: tuple[str, ...] = ()) -> tuple[list[Any], str | None]:
    from refexport.catalog import load

    catalog = load(inputs or obj["catalogs"], obj["input_format"])
    for problem in catalog.problems:
        click.echo(f"{problem} (skipped)", err=True)
    if catalog.problems and obj["strict"]:
        raise InputError(
            str(catalog.problems[0].file),
            catalog.problems[0].where,
            f"{catalog.problems[0].message} (--strict: nothing written)",
        )
    obj["problems"] += len(catalog.problems)
    return catalog.records, catalog.title


def _emit(obj: dict[str, Any], text: str) -> None:
    if obj["output"]:
        from refexport.fileio import atomic_write

        atomic_write(obj["output"], text)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()


def _export(ctx: click.Context, fmt: str, inputs: tuple[str, ...] = (), **options: Any) -> None:
    """Load the catalog (`inputs`, else the --catalog files) and write it in `fmt`; `options`
    go to the writer."""
    records, title = _load(ctx.obj, inputs)
    try:
        text = write_any(fmt, records, title, **options)
    except ValueError as error:  # a record the format cannot hold, e.g. an unsafe key
        raise click.ClickException(f"cannot write {fmt}: {error}") from None
    _emit(ctx.obj, text)


def _add_export_command(name: str, fmt: str, summary: str) -> None:
    """A command that writes the catalog in one format and takes only the common options."""

    @click.pass_context
    def command(ctx: click.Context, **options: Any) -> None:
        _settings(ctx, **options)
        _export(ctx, fmt)

    command.__doc__ = summary
    cli.command(name)(_common_options(command))


_add_export_command("records", "records", "The records as JSON Lines (one JSON object per line).")
_add_export_command("biblatex", "biblatex", "BibLaTeX: @online entries with organization, urldate, langid.")
_add_export_command("csljson", "csljson", "CSL-JSON for pandoc, Quarto, Zotero and citeproc processors.")
_add_export_command("csl-yaml", "csl-yaml", "CSL YAML: the `references:` metadata block pandoc reads.")


@cli.command()
@_common_options
@click.option(
    "--dialect",
    type=click.Choice(["bibtex", "biblatex"]),
    default="bibtex",
    show_default=True,
    help="bibtex: @misc/howpublished; biblatex: @online/organization/langid.",
)
@click.pass_context
def bibtex(ctx: click.Context, dialect: str, **options: Any) -> None:
    """BibTeX (or BibLaTeX with --dialect biblatex)."""
    _settings(ctx, **options)
    _export(ctx, dialect)


@cli.command()
@_common_options
@click.option(
    "--feeds", is_flag=True, help="A subscription list of the sources' feeds instead of the reading list."
)
@click.option(
    "--feed-base", metavar="URL", help="RSSHub-style instance for sites without feeds of their own."
)
@click.pass_context
def opml(ctx: click.Context, feeds: bool, feed_base: str | None, **options: Any) -> None:
    """OPML: the reading list as nested outlines, or (--feeds) feed subscriptions."""
    _settings(ctx, **options)
    if feeds:
        _export(ctx, "opml-feeds", feed_base=feed_base)
    else:
        _export(ctx, "opml")


@cli.command()
@_common_options
@click.option(
    "--style",
    type=click.Choice(["post", "list"]),
    default="post",
    show_default=True,
    help="post: Jekyll post, URL line + title line + > note; list: - [title](url) — note items.",
)
@click.pass_context
def markdown(ctx: click.Context, /, style: str, **options: Any) -> None:
    """Markdown: the catalog as a reading-list post (headings from the sections)."""
    _settings(ctx, **options)
    _export(ctx, "markdown" if style == "post" else "markdown-list")


@cli.command()
@_common_options
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--to", "output_format", type=click.Choice(OUTPUT_FORMATS), required=True, help="Output format."
)
@click.pass_context
def convert(ctx: click.Context, inputs: tuple[str, ...], output_format: str, **options: Any) -> None:
    """Convert INPUT files (any readable format) to another format."""
    _settings(ctx, **options)
    _export(ctx, output_format, inputs)


@cli.command()
@_common_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="exports",
    show_default=True,
    help="Folder to write the exports into.",
)
@click.pass_context
def build(ctx: click.Context, out_dir: str, **options: Any) -> None:
    """Regenerate every export of the catalog (refs.bib, refs-biblatex.bib, refs.json,
    refs.yaml, refs.opml, feeds.opml, zotero.json, zotero.rdf, refs.md) into a folder."""
    obj = _settings(ctx, **options)
    from refexport.catalog import Catalog
    from refexport.exports import build as build_exports

    records_, title = _load(obj)
    for path in build_exports(Catalog(records=records_, title=title), Path(out_dir)):
        click.echo(str(path), err=True)


def _add_zotero() -> None:
    try:
        from refexport.cli_zotero import zotero
    except ImportError:  # pragma: no cover - only while the module is being written
        return
    cli.add_command(zotero)


_add_zotero()


def main(argv: list[str] | None = None) -> None:
    """Entry point. Exit status: 0 done; 1 some entries skipped (reported); 2 input refused.
    Bad input is one line on stderr, never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        # One short run that builds large, acyclic structures: see cyclic_gc_paused.
        with cyclic_gc_paused(), cli.make_context("refexport", args) as ctx:
            cli.invoke(ctx)
            skipped = ctx.obj["problems"]
    except InputError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except click.exceptions.Exit as done:  # --help, --version
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except BrokenPipeError:  # `refexport records | head`
        sys.stderr.close()
        sys.exit(0)
    sys.exit(1 if skipped else 0)
