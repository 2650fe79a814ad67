"""``crisis-triage records``: list, show, export, purge, review and import call records (``update``,
recording a response from outside, is in records_update.py).

Reads the centre's PostgreSQL store when one is configured (``--store`` or settings), else this
console's SQLite file; ``--local`` reads the local file regardless. Every failure to open or read a
store is one clear line and exit 1, never a traceback.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import click

from .common import (
    default_protocol,
    find_call,
    load_protocol_or_exit,
    load_settings_or_exit,
    local_option,
    opened_reader,
    parse_date,
    period_options,
    protocol_files_option,
    protocol_resolver,
    store_option,
)
from .records_update import update

# The store, period and protocol-file options and the store opening live in common.py (shared with
# report, followups and eido).


@click.group()
def records() -> None:
    """Call records: list, show, export, purge, review, import-calls, update."""


# A response recorded from outside the console (a dispatcher's system) has its own module.
records.add_command(update)


@records.command("list")
@store_option
@local_option
@period_options
@click.option("--console", "console_id", default=None, help="Only calls taken at this console.")
@click.option("--unfinished", is_flag=True, help="Only calls with no end recorded (crash recovery).")
@click.option("--limit", "-n", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per call.")
def list_calls(store, local, since, until, console_id, unfinished, limit, as_json) -> None:
    """Recent calls, newest first: start time, id, console, call-taker, district, events, how it ended."""
    with opened_reader(store, local) as reader:
        if unfinished:
            calls = reader.unfinished_calls(console_id)[-limit:][::-1]
        else:
            calls = reader.calls(
                since=parse_date(since, "--since"),
                until=parse_date(until, "--until"),
                console_id=console_id,
                limit=limit,
            )
        if as_json:
            for c in calls:
                click.echo(
                    json.dumps(
                        {
                            "call_id": c.meta.call_id,
                            "started_at": c.started_at.isoformat(),
                            "last_at": c.last_at.isoformat(),
                            "console_id": c.meta.console_id,
                            "call_taker_id": c.meta.call_taker_id,
                            "events": c.events,
                            "ended": c.ended,
                            "protocol": f"{c.meta.protocol_id} {c.meta.protocol_version}",
                        }
                    )
                )
            return
        if not calls:
            if unfinished:
                click.echo("no unfinished calls" + (f" on {console_id}" if console_id else ""))
            else:
                click.echo("no calls recorded" + (" in that period" if since or until else ""))
            return
        from .centre_clock import centre_stamp, centre_zone

        zone = datetime.now(centre_zone()).strftime("%Z")
        click.echo(
            f"{'started ' + zone:<16}  {'call':<14}  {'console':<12}  {'call-taker':<12}  {'events':>6}  {'ended':<12}  protocol"
        )
        for c in calls:
            started = centre_stamp(c.started_at, "%Y-%m-%d %H:%M")
            click.echo(
                f"{started:<16}  {c.meta.call_id[:14]:<14}  {c.meta.console_id[:12]:<12}  "
                f"{c.meta.call_taker_id[:12]:<12}  {c.events:>6}  {(c.ended or 'UNFINISHED')[:12]:<12}  "
                f"{c.meta.protocol_id} {c.meta.protocol_version}"
            )


@records.command()
@click.argument("call_id")
@store_option
@local_option
@click.option("--json", "as_json", is_flag=True, help="The stored events as JSON lines, exactly as recorded.")
@protocol_files_option("Protocol file to replay with, if the recorded path has moved (matched by sha256).")
def show(call_id, store, local, as_json, protocols) -> None:
    """One call: who took it, with which protocol, every event, and the outcome replayed."""
    from ..reporting.review import render_timeline

    with opened_reader(store, local) as reader:
        full_id = find_call(reader, call_id)
        meta = reader.meta(full_id)
        stored = reader.stored_events(full_id)
        if as_json:
            for s in stored:
                click.echo(
                    json.dumps(
                        {
                            "event_id": s.event_id,
                            "sequence": s.sequence,
                            "event": json.loads(s.event.model_dump_json()),
                        },
                        ensure_ascii=False,
                    )
                )
            return
        click.echo(render_timeline(meta, stored, protocol_resolver(protocols), datetime.now(UTC)))


@records.command()
@click.argument("call_id")
@store_option
@local_option
@protocol_files_option("Protocol file to review against, if the recorded path has moved (matched by sha256).")
def review(call_id, store, local, protocols) -> None:
    """Quality review: the call against its protocol (asked, skipped, order, interrupts, time per
    step, and where the call-taker departed from the recommendation)."""
    from ..reporting.protocol_texts import ProtocolNotFound
    from ..reporting.review import render_review, review_call

    with opened_reader(store, local) as reader:
        full_id = find_call(reader, call_id)
        meta = reader.meta(full_id)
        stored = reader.stored_events(full_id)
        try:
            protocol = protocol_resolver(protocols).for_call(meta)
        except ProtocolNotFound as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(render_review(review_call(protocol, meta, [s.event for s in stored], datetime.now(UTC))))


@records.command()
@click.argument("call_ids", metavar="[CALL]...", nargs=-1)
@store_option
@local_option
@period_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "eido"]),
    default="jsonl",
    show_default=True,
    help="eido: one NENA EIDO incident document per call (JSON Lines).",
)
@click.option(
    "--level",
    type=click.Choice(["events", "calls"]),
    default="events",
    show_default=True,
    help="One record per event, or one per call with its replayed outcome.",
)
@click.option(
    "--deidentify",
    is_flag=True,
    help="For evaluators: drop names, addresses, phone numbers and free text; times to the hour; ids hashed.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Where to write (default: stdout). A file is created readable by you only (mode 0600).",
)
@click.option("--practice", is_flag=True, help="Include practice calls.")
@protocol_files_option("Protocol files to replay with (matched by sha256), if recorded paths have moved.")
def export(call_ids, store, local, since, until, fmt, level, deidentify, output, practice, protocols) -> None:
    """Export records as JSON Lines, CSV or NENA EIDOs (to stdout or --output); a summary goes to stderr.

    Give CALL ids (or unique prefixes) to export only those calls."""
    from ..reporting.deidentify import Deidentifier
    from ..reporting.export import export_records

    started = time.perf_counter()
    if fmt == "eido":
        if deidentify:
            raise click.UsageError("an EIDO names the incident for a CAD; it cannot be de-identified")
        _export_eidos(call_ids, store, local, since, until, output, practice, protocols)
        return
    if call_ids:
        raise click.UsageError("CALL ids select calls for --format eido only")
    deidentifier = Deidentifier() if deidentify else None
    with opened_reader(store, local) as reader, _private_output(output) as out:
        count = export_records(
            reader.iter_rows(),
            out,
            fmt=fmt,
            level=level,
            resolver=protocol_resolver(protocols),
            deidentifier=deidentifier,
            since=parse_date(since, "--since"),
            until=parse_date(until, "--until"),
            include_practice=practice,
            now=datetime.now(UTC),
        )
    seconds = time.perf_counter() - started
    click.echo(
        f"exported {count.events} events of {count.calls} calls ({level}, {fmt}"
        f"{', de-identified' if deidentify else ''}) in {seconds:.1f} s"
        + (f"; {count.problems} calls could not be replayed (see the problem column)" if count.problems else ""),
        err=True,
    )
    if deidentifier is not None and deidentifier.report():
        click.echo(f"de-identification: {deidentifier.report()}", err=True)


def _export_eidos(call_ids, store, local, since, until, output, practice, protocols) -> None:
    from ..interop.eido_records import stored_eidos, write_eidos

    with opened_reader(store, local) as reader, _private_output(output) as out:
        ids = [find_call(reader, c) for c in call_ids] or None
        documents = stored_eidos(
            reader.iter_rows(ids),
            protocol_resolver(protocols),
            since=parse_date(since, "--since"),
            until=parse_date(until, "--until"),
            include_practice=practice or bool(ids),
        )
        written, skipped = write_eidos(documents, out, sys.stderr)
    click.echo(f"exported {written} EIDOs" + (f"; {skipped} calls skipped (above)" if skipped else ""), err=True)


@contextmanager
def _private_output(path: str) -> Iterator:
    """stdout for "-", else the file at ``path`` created with mode 0600: records are health information."""
    import os

    if path == "-":
        try:
            yield sys.stdout  # click.get_text_stream is deprecated (removed in Click 9)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, as other command-line tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise SystemExit(0) from None
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.chmod(path, 0o600)  # an existing file keeps its mode otherwise
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle


@records.command()
@store_option
@local_option
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(1, 36500),
    default=None,
    help="Age in days (default: the retention_days setting).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be removed, remove nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def purge(store, local, days, dry_run, yes) -> None:
    """Remove finished calls whose last event is older than the retention period.

    Unfinished calls are never removed (they may still be resumed). With a centre store, the local
    file only loses calls the centre has already received.
    """
    from ..store.opening import is_postgres_url
    from ..store.postgres import PostgresStore, redact

    settings = load_settings_or_exit(store=store)
    days = days or settings.retention_days
    cutoff = datetime.now(UTC) - timedelta(days=days)
    with opened_reader(store, local) as reader:
        due = [c for c in reader.calls(until=None, newest_first=False) if c.ended is not None and c.last_at < cutoff]
        where = redact(settings.store) if isinstance(reader, PostgresStore) else str(getattr(reader, "path", ""))
        click.echo(
            f"{len(due)} finished calls in {where} ended before {cutoff.astimezone():%Y-%m-%d %H:%M} "
            f"(older than {days} days)"
        )
        if dry_run or not due:
            return
        if not yes and not click.confirm("Remove them for good?", default=False):
            click.echo("nothing removed")
            return
        if isinstance(reader, PostgresStore):
            calls, events = reader.purge(cutoff)
        else:
            # This console's file feeds a centre store: keep whatever the centre has not received.
            shipped_to = redact(settings.store) if is_postgres_url(settings.store) else None
            calls, events = reader.purge(cutoff, shipped_to=shipped_to)
        click.echo(f"removed {calls} calls ({events} events)")


@records.command("import-calls")
@click.argument("calls", type=click.File("rb"))  # bytes: a line that is not UTF-8 is reported, not fatal
@click.option(
    "--protocol",
    "-p",
    type=click.Path(dir_okay=False),
    default=default_protocol,
    show_default="the shipped Boston protocol",
    help="Protocol the calls were generated for.",
)
@click.option("--console", "console_id", default="import", show_default=True, help="Console id to record.")
@store_option
@local_option
def import_calls(calls, protocol, console_id, store, local) -> None:
    """Load replay-format calls (``generate-calls`` output, '-' for stdin) into the records as events.

    Each call is played through the engine like a console would: answers with realistic gaps,
    interrupts between them, the recommendation accepted, the handoff steps, the end. Importing the
    same file twice stores nothing twice (ids are derived from the call ids).
    """
    from ..store.import_calls import ImportResult, imported_records
    from ..store.postgres import PostgresStore
    from ..store.rows import to_row

    loaded = load_protocol_or_exit(protocol)
    result = ImportResult()
    started = time.perf_counter()
    with opened_reader(store, local) as reader:
        batch: list = []

        def flush() -> None:
            if isinstance(reader, PostgresStore):
                result.new_events += reader.insert_rows([to_row(m, r) for m, r in batch])
            else:
                result.new_events += reader.insert_many(batch)
            batch.clear()

        for records_of_call in imported_records(loaded, calls, console_id=console_id, result=result):
            batch.extend(records_of_call)
            if len(batch) >= 5000:
                flush()
        flush()
    for bad in result.bad:
        click.echo(f"{getattr(calls, 'name', '-')}:{bad}", err=True)
    click.echo(
        f"imported {result.calls} calls ({result.events} events, {result.new_events} new) in "
        f"{time.perf_counter() - started:.1f} s" + (f"; {len(result.bad)} bad lines skipped" if result.bad else ""),
        err=True,
    )
    if result.bad and result.calls == 0:
        sys.exit(1)
