"""``crisis-triage records``: list, show, export, purge, review and import call records.

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

# The store, period and protocol-file options and the store opening live in common.py (shared with
# report, followups and eido).


@click.group()
def records() -> None:
    """Call records: list, show, export, purge, review, import-calls."""


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


def _directory_of(protocol):
    """The referral directory the call's protocol names (a receiving service is checked against it);
    None when it names none, or when it does not load (said on stderr: the disposition is still recorded)."""
    from ..protocol.directory import load_directory_for
    from ..protocol.errors import ProtocolError

    try:
        return load_directory_for(protocol)
    except (ProtocolError, OSError) as exc:
        click.echo(f"warning: the referral directory did not load, services are not checked: {exc}", err=True)
        return None


@records.command()
@click.argument("call_id")
@click.option(
    "--status",
    type=click.Choice(["assigned", "en_route", "on_scene", "contact_made", "unable_to_locate", "cleared"]),
    default=None,
    help="The responding team's status.",
)
@click.option("--disposition", "code", default=None, help="A disposition code of the call's protocol.")
@click.option("--detail", "details", multiple=True, metavar="NAME=VALUE", help="A detail the disposition needs.")
@click.option("--by", "role", default="dispatcher", show_default=True, help="Role recording the disposition.")
@click.option("--handoff-landed", "landed", default=None, help="Where the warm handoff landed (protocol's outcomes).")
@click.option("--note", default="", help="A note kept with the status or the handoff landing.")
@click.option("--source", default="dispatch", show_default=True, help="Who reports the status (kept in the record).")
@click.option("--at", "at_text", default=None, help="When it happened (ISO time; default now).")
@store_option
@local_option
@protocol_files_option("Protocol file of the call, if the recorded path has moved (matched by sha256).")
def update(call_id, status, code, details, role, landed, note, source, at_text, store, local, protocols) -> None:
    """Record a call's response from outside the console: a status, a disposition, a handoff's landing.

    For a dispatcher's system: the event is checked against the call replayed through its protocol
    (a status before any dispatch, an unknown code or a missing detail is refused with the reason),
    then journalled with any follow-up it makes owed. The console that took the call picks it up.
    """
    from ..engine.events_response import DispositionRecorded, HandoffOutcomeRecorded, ResponseStatusChanged
    from ..engine.session import SessionError
    from ..reporting.protocol_texts import ProtocolNotFound
    from ..store.outside import record_outside
    from .centre_clock import centre_stamp

    if not (status or code or landed):
        raise click.UsageError("say what to record: --status, --disposition or --handoff-landed")
    at = parse_date(at_text, "--at") or datetime.now(UTC)
    parsed: dict[str, str] = {}
    for item in details:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f'"{item}" is not NAME=VALUE', param_hint="--detail")
        parsed[name.strip()] = value.strip()
    events: list = []
    if status:
        events.append(ResponseStatusChanged(at=at, status=status, source=source, note=note))
    if code:
        events.append(DispositionRecorded(at=at, code=code, details=parsed, recorded_by=role))
    if landed:
        events.append(HandoffOutcomeRecorded(at=at, outcome=landed, note=note))
    with opened_reader(store, local) as reader:
        full_id = find_call(reader, call_id)
        try:
            protocol = protocol_resolver(protocols).for_call(reader.meta(full_id))
            written = record_outside(reader, protocol, full_id, events, _directory_of(protocol) if code else None)
        except ProtocolNotFound as exc:
            raise click.ClickException(str(exc)) from None
        except SessionError as exc:
            raise click.ClickException(f"not recorded: {exc}") from None
    from ..reporting.outcome_after import describe_after

    for record in written:
        click.echo(f"{centre_stamp(record.event.at)}  {full_id[:12]}  {describe_after(protocol, record.event)}")
    if status and any(isinstance(record.event, ResponseStatusChanged) for record in written):
        moved = _follow_in_centre(store, local, full_id, status, at, protocol)
        if moved:
            click.echo(moved)


def _follow_in_centre(store, local, call_id: str, status: str, at: datetime, protocol) -> str | None:
    """With a centre file configured, move the call's units in the shared availability as the status
    says (a unit a dispatcher's CAD cleared is free for every console); the line to print, if any.

    The status is recorded whatever happens here: a centre that cannot be reached is said, not fatal
    (the console that took the call moves its units when it picks the status up)."""
    from ..engine.aftercare import handoff_model
    from ..store.centre_link import availability_opener

    settings = load_settings_or_exit(store=store)
    if not settings.centre:
        return None  # no centre: availability is per call, as without one
    opener = availability_opener(None if local else settings.store)
    call_line = handoff_model(protocol)
    try:
        availability = opener()
        try:
            moved = availability.follow_response(call_id, status, at=at, except_models=[call_line] if call_line else [])
        finally:
            availability.close()
    except Exception as exc:  # unreachable or refused (psycopg, sqlite3, AvailabilityError): said, not fatal
        click.echo(f"warning: units not moved in the centre store ({exc}); the console moves them", err=True)
        return None
    if not moved:
        return None
    return f"{moved} unit{'s' if moved != 1 else ''} of the call now {status.replace('_', ' ')} in the centre store"
