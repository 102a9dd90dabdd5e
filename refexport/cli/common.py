"""What every command shares: the settings (`--catalog`, `--from`, `-o`, `--strict`, given
before or after the command name), loading the catalog with its problems reported on
stderr, and writing the output."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from refexport import formats

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(slots=True)
class Settings:
    """The shared options; `ctx.obj` of every command."""

    catalogs: tuple[str, ...] = ()
    input_format: str | None = None
    output: str | None = None
    strict: bool = False
    skipped: int = 0  # entries reported and skipped: exit status 1


def common_options(command: F) -> F:
    """--catalog, --from, -o and --strict, accepted before or after the command name."""
    decorators = [
        click.option(
            "--catalog",
            "catalogs",
            multiple=True,
            type=click.Path(dir_okay=False, allow_dash=True),
            help="Catalog to read (repeatable): Markdown, .bib, CSL-JSON/YAML, OPML, records, "
            "Zotero JSON or RDF. Default: the bundled reading list.",
        ),
        click.option(
            "--from",
            "input_format",
            type=click.Choice(formats.readable()),
            help="Input format of the catalogs (default: by extension, then by content).",
        ),
        click.option(
            "-o",
            "--output",
            # not `readable`: a write-only file (mode 0200) or a pipe is a fine destination
            type=click.Path(dir_okay=False, allow_dash=True, readable=False),
            help="Write here instead of standard output (a file is replaced atomically).",
        ),
        click.option(
            "--strict", is_flag=True, default=None, help="Refuse the whole input when any entry is bad."
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def settings(
    ctx: click.Context,
    catalogs: tuple[str, ...] = (),
    input_format: str | None = None,
    output: str | None = None,
    strict: bool | None = None,
) -> Settings:
    """The root's settings with the options given after the command name merged in (they win)."""
    current: Settings = ctx.find_root().ensure_object(Settings)
    current.catalogs += catalogs
    current.input_format = input_format or current.input_format
    current.output = output or current.output
    if strict is not None:
        current.strict = strict
    return current


def refuse(current: Settings, *, catalogs: str | None = None, output: str | None = None) -> None:
    """A shared option this command cannot use is an error, not silently ignored."""
    if catalogs and current.catalogs:
        raise click.UsageError(catalogs)
    if output and current.output:
        raise click.UsageError(output)


def load_catalog(current: Settings, inputs: tuple[str, ...] = ()) -> Any:
    """The catalog of `inputs` (else the --catalog files, else the bundled one); skipped
    entries and changes are reported on stderr, one line each."""
    from refexport.catalog import load

    catalog = load(inputs or current.catalogs, current.input_format, current.strict)
    for problem in catalog.problems:
        click.echo(f"{problem} (skipped)", err=True)
    for notice in catalog.notices:
        click.echo(str(notice), err=True)
    current.skipped += len(catalog.problems)
    return catalog


def emit(current: Settings, chunks: Iterable[str]) -> None:
    from refexport.fileio import write_output

    write_output(chunks, current.output)


def export(current: Settings, fmt: str, options: dict[str, Any], inputs: tuple[str, ...] = ()) -> None:
    """Load the catalog and write it in `fmt` with the writer's `options`."""
    catalog = load_catalog(current, inputs)
    write_options = formats.WriteOptions(catalog.title, options)
    emit(current, formats.get(fmt).write(catalog.records, write_options))
    report_writer(current, write_options)


def report_writer(current: Settings, options: formats.WriteOptions) -> None:
    for problem in options.skipped:
        click.echo(f"{problem} (skipped)", err=True)
    for notice in options.notices:
        click.echo(str(notice), err=True)
    current.skipped += len(options.skipped)
