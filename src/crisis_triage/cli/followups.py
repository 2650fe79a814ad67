"""``crisis-triage followups``: the follow-up queue (due, overdue, done) and recording an attempt."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from .common import find_call, local_option, opened_reader, parse_date, protocol_resolver, store_option

OUTCOMES = ("reached_safe", "referred", "declined", "no_answer")


@click.group(invoke_without_command=True)
@store_option
@local_option
@click.option(
    "--show",
    type=click.Choice(["open", "overdue", "due", "done", "all"]),
    default="open",
    show_default=True,
    help="Which follow-ups: open (overdue and due), one status, or all.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per follow-up.")
@click.option("--limit", "-n", type=click.IntRange(1), default=100, show_default=True)
@click.pass_context
def followups(ctx, store, local, show, as_json, limit) -> None:
    """The follow-up queue: what the protocol's rules owe (caring contacts, re-checks), overdue
    first, then due, then done. Reads the centre store when one is set, so every console sees one queue."""
    if ctx.invoked_subcommand is not None:
        return
    from ..store.followups import load_queue
    from .centre_clock import centre_stamp

    now = datetime.now(UTC)
    with opened_reader(store, local) as reader:
        items = load_queue(reader, now)
    counts = {s: sum(1 for i in items if i.status(now) == s) for s in ("overdue", "due", "done")}
    wanted = {"open": ("overdue", "due"), "all": ("overdue", "due", "done")}.get(show, (show,))
    shown = [i for i in items if i.status(now) in wanted][:limit]
    if as_json:
        for i in shown:
            click.echo(
                json.dumps(
                    {
                        "call_id": i.call_id,
                        "rule": i.rule,
                        "status": i.status(now),
                        "due": i.due.isoformat(),
                        "console_id": i.console_id,
                        "attempts": i.attempts,
                        "last_outcome": i.last_outcome,
                        "done_at": i.done_at.isoformat() if i.done_at else None,
                        "done_on_time": i.done_on_time if i.done_at else None,
                    }
                )
            )
        return
    click.echo(f"follow-ups: {counts['overdue']} overdue, {counts['due']} due, {counts['done']} done")
    if not shown:
        return
    click.echo(f"{'status':<8}  {'due':<20}  {'call':<12}  {'rule':<22}  {'tries':>5}  last")
    for i in shown:
        click.echo(
            f"{i.status(now).upper() if i.status(now) == 'overdue' else i.status(now):<8}  "
            f"{centre_stamp(i.due):<20}  {i.call_id[:12]:<12}  {i.rule[:22]:<22}  {i.attempts:>5}  "
            f"{(i.last_outcome or '-').replace('_', ' ')}"
        )


@followups.command("record")
@click.argument("call_id")
@click.argument("rule")
@click.option("--outcome", type=click.Choice(OUTCOMES), required=True, help="How the attempt went.")
@click.option("--by", default="", help="Who made the attempt.")
@click.option("--note", default="")
@click.option("--at", "at_text", default=None, help="When (ISO time; default now).")
@store_option
@local_option
def record(call_id, rule, outcome, by, note, at_text, store, local) -> None:
    """Record one attempt at a follow-up (RULE as the queue lists it) and how it went."""
    from ..engine.events_response import FollowUpAttempted
    from ..engine.session import SessionError
    from ..reporting.protocol_texts import ProtocolNotFound
    from ..store.outside import record_outside

    at = parse_date(at_text, "--at") or datetime.now(UTC)
    with opened_reader(store, local) as reader:
        full_id = find_call(reader, call_id)
        try:
            protocol = protocol_resolver(()).for_call(reader.meta(full_id))
            record_outside(
                reader, protocol, full_id, [FollowUpAttempted(at=at, rule=rule, outcome=outcome, by=by, note=note)]
            )
        except ProtocolNotFound as exc:
            raise click.ClickException(str(exc)) from None
        except SessionError as exc:
            raise click.ClickException(f"not recorded: {exc}") from None
    click.echo(f"recorded: {rule} on {full_id[:12]}: {outcome.replace('_', ' ')}")
