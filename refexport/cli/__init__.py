"""The command line: parses arguments and calls library functions, nothing more.

One command per output format comes from the format registry (`refexport.formats`), with
the writer's options; `convert`, `build` and `zotero` are written out here.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from refexport import __version__, formats
from refexport.cli.common import Settings, common_options, export, load_catalog, refuse, settings
from refexport.errors import InputError, OutputError
from refexport.model import one_line

EXAMPLES = """\b
Examples:
  refexport bibtex > refs.bib              the bundled reading list as BibTeX
  refexport biblatex -o refs.bib           BibLaTeX (@online, langid) into a file
  refexport --catalog notes.md csljson     your own Markdown catalog as CSL-JSON
  refexport records | head -n 3            the records as JSON Lines
  refexport opml --feeds --feed-base https://rsshub.example.org
  refexport convert old.bib --to csljson -o refs.json
  refexport build --out exports            every export of the catalog
  refexport zotero sync --dry-run          what a Zotero sync would change

\b
Exit status: 0 success; 1 some entries were skipped (each reported on stderr as
file:line: reason, the rest written); 2 the input was refused or the output could not be
written (one line on stderr, nothing written); 130 interrupted.
"""


@click.group(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(__version__, prog_name="refexport")
@click.pass_context
def cli(ctx: click.Context, /, **options: Any) -> None:
    """Turn reading lists into citation records and export them to BibTeX/BibLaTeX,
    CSL-JSON, OPML and Zotero."""
    ctx.obj = Settings()
    settings(ctx, **options)


def _option(option: formats.Option) -> Any:
    if option.is_flag:
        return click.option(option.flag, option.name, is_flag=True, default=None, help=option.help)
    return click.option(
        option.flag,
        option.name,
        type=click.Choice(option.choices) if option.choices else None,
        default=option.default,
        show_default=option.default is not None,
        metavar=option.metavar,
        help=option.help,
    )


def _add_format_command(fmt: formats.Format) -> None:
    """`refexport NAME [writer options]`: the catalog in one format."""
    names = [o.name for o in fmt.options]

    @click.pass_context
    def command(ctx: click.Context, /, **values: Any) -> None:
        current = settings(ctx, **{k: v for k, v in values.items() if k not in names})
        export(current, fmt.name, {k: values[k] for k in names})

    command.__doc__ = fmt.summary
    for option in reversed(fmt.options):
        command = _option(option)(command)
    cli.command(fmt.name)(common_options(command))


for _format in formats.FORMATS.values():
    if _format.command and _format.writer is not None:
        _add_format_command(_format)


@cli.command()
@common_options
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--to", "output_format", type=click.Choice(formats.writable()), required=True, help="Output format."
)
@click.pass_context
def convert(ctx: click.Context, /, inputs: tuple[str, ...], output_format: str, **options: Any) -> None:
    """Convert INPUT files (any readable format) to another format."""
    current = settings(ctx, **options)
    refuse(current, catalogs="convert reads the INPUT files it is given; --catalog is for the other commands")
    export(current, output_format, {}, inputs)


@cli.command()
@common_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="exports",
    show_default=True,
    help="Folder to write the exports into.",
)
@click.pass_context
def build(ctx: click.Context, /, out_dir: str, **options: Any) -> None:
    """Regenerate every export of the catalog into a folder (see `refexport.exports`)."""
    current = settings(ctx, **options)
    refuse(current, output="build writes a folder of files: use --out FOLDER, not -o")
    from pathlib import Path

    from refexport.exports import build as build_exports

    for path in build_exports(load_catalog(current), Path(out_dir)):
        click.echo(str(path), err=True)


def _add_zotero() -> None:
    from refexport.cli.zotero import zotero

    cli.add_command(zotero)


_add_zotero()


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the one run of the CLI.

    Reading or writing builds a dozen objects per entry that all stay alive (fields, entries,
    records), and every few hundred of them the collector walks the survivors, which costs
    about a fifth of the time of a large file. Reference counting still frees everything."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, `timeout`) ends the run as Ctrl-C does: through the handlers that
    remove a temporary file, so nothing is left half-written."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


@contextmanager
def _terminated_cleanly() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (an embedding program): its signals, not ours
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> None:
    """Entry point. Exit status: 0 done; 1 some entries skipped (reported); 2 input refused
    or output impossible; 130 interrupted (143 terminated). Errors are one line on stderr, never a traceback
    (set REFEXPORT_DEBUG=1 to see one for an internal error)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with _terminated_cleanly(), _cyclic_gc_paused(), cli.make_context("refexport", args) as ctx:
            cli.invoke(ctx)
            current = ctx.find_object(Settings)
            skipped = current.skipped if current is not None else 0
    except (InputError, OutputError) as error:
        click.echo(one_line(str(error)), err=True)  # an output path may hold a line break
        sys.exit(2)
    except click.exceptions.Exit as done:  # --help, --version
        sys.exit(done.exit_code)
    except _Terminated:
        click.echo("terminated: nothing written", err=True)
        sys.exit(143)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted: nothing written", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except BrokenPipeError:  # `refexport records | head`
        _quiet_stdout()
        sys.exit(0)
    except Exception as error:  # a bug: one line, and the way to see more
        if os.environ.get("REFEXPORT_DEBUG"):
            raise
        click.echo(
            one_line(
                f"refexport: internal error: {type(error).__name__}: {error} (REFEXPORT_DEBUG=1 shows more)"
            ),
            err=True,
        )
        sys.exit(70)
    sys.exit(1 if skipped else 0)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
