"""`refexport zotero export` and `refexport zotero sync`. Heavy modules load only when a
command runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from refexport.cli.common import common_options, export, load_catalog, refuse, settings

API_KEY_ENV = "ZOTERO_API_KEY"


def _top_collection(option: str | None, catalog_title: str | None) -> str:
    return option or catalog_title or "refexport"


@click.group(name="zotero")
def zotero() -> None:
    """Zotero: offline export (Zotero API JSON) and idempotent sync to a Zotero library."""


@zotero.command("export")
@click.option("--collection", help="Name of the top collection (default: the catalog title).")
@click.option(
    "--rdf",
    is_flag=True,
    help="Zotero RDF, which Zotero desktop imports with its collections (File > Import), "
    "instead of Zotero Web API JSON.",
)
@common_options
@click.pass_context
def export_command(ctx: click.Context, /, collection: str | None, rdf: bool, **options: Any) -> None:
    """Write items and collections as Zotero Web API JSON (or Zotero RDF with --rdf)."""
    export(settings(ctx, **options), "zotero-rdf" if rdf else "zotero", {"collection": collection})


class _Progress:
    """`click.progressbar` over the write batches, on stderr and only on a terminal."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < 2 or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(length=total, label="zotero sync", file=sys.stderr)
            self.bar.__enter__()
        self.bar.length = max(self.bar.length or 0, total)
        self.bar.update(done - self.bar.pos)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@zotero.command("sync")
@click.option("--library-id", envvar="ZOTERO_LIBRARY_ID", help="Zotero library id [env ZOTERO_LIBRARY_ID].")
@click.option(
    "--library-type",
    envvar="ZOTERO_LIBRARY_TYPE",
    type=click.Choice(["user", "group"]),
    default="user",
    show_default=True,
    help="[env ZOTERO_LIBRARY_TYPE]",
)
@click.option("--collection", help="Name of the top collection (default: the catalog title).")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option(
    "--prune", is_flag=True, help="Move to the trash items refexport created whose records are gone."
)
@click.option(
    "--endpoint", default="https://api.zotero.org", show_default=True, help="Zotero Web API base URL."
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sync state file (default: under ~/.cache/refexport/zotero/). Losing it costs reads only.",
)
@click.option("--max-wait", type=float, default=600.0, show_default=True, help="Longest rate-limit wait (s).")
@common_options
@click.pass_context
def sync_command(
    ctx: click.Context,
    /,
    library_id: str | None,
    library_type: str,
    collection: str | None,
    dry_run: bool,
    prune: bool,
    endpoint: str,
    state_path: Path | None,
    max_wait: float,
    **shared: Any,
) -> None:
    """Put the catalog into a Zotero library (API key from ZOTERO_API_KEY); re-running converges."""
    from refexport.zotero_sync import SyncError, SyncOptions, redact, sync

    api_key = _env_api_key()
    if not library_id:
        raise click.UsageError("no library id: set ZOTERO_LIBRARY_ID or pass --library-id")
    if not api_key and not dry_run:
        raise click.UsageError(f"no API key: set {API_KEY_ENV}")
    current = settings(ctx, **shared)
    refuse(current, output="zotero sync writes to a Zotero library; -o is for the export commands")
    catalog = load_catalog(current)
    records, title = catalog.records, catalog.title
    bar = _Progress()
    options = SyncOptions(
        library_id=library_id,
        library_type=library_type,
        api_key=api_key,
        endpoint=endpoint,
        top_collection=_top_collection(collection, title),
        dry_run=dry_run,
        prune=prune,
        state_path=state_path,
        max_wait=max_wait,
        progress=bar,
    )
    try:
        report = sync(records, options)
    except SyncError as error:
        bar.finish()
        click.echo(f"error: {redact(str(error), api_key)}", err=True)
        ctx.exit(1)
    bar.finish()
    if dry_run:
        click.echo(report.plan_text())
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for failure in report.failures:
        click.echo(f"failed: {redact(failure, api_key)}", err=True)
    click.echo(report.summary(), err=True)
    if report.failures:
        ctx.exit(1)


def _env_api_key() -> str:
    return os.environ.get(API_KEY_ENV, "")
