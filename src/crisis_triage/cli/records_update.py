"""``crisis-triage records update``: a call's response recorded from outside the console (a
dispatcher's system, a CAD): a status, a disposition, where a warm handoff landed. The event is checked
against the call replayed through its protocol before it is journalled; a status also moves the call's
units in the centre's shared availability when a centre is configured.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from ..engine.events_response import RESPONSE_STATUSES
from .common import (
    find_call,
    load_settings_or_exit,
    local_option,
    opened_reader,
    parse_date,
    protocol_files_option,
    protocol_resolver,
    store_option,
)


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


@click.command()
@click.argument("call_id")
@click.option(
    "--status",
    type=click.Choice(RESPONSE_STATUSES),
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
