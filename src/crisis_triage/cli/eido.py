"""``crisis-triage eido``: serve incidents to CAD systems as NENA EIDOs, or watch a notifier's feed.

``eido serve`` is the EIDO notifier (WebSocket subscribe/notify) and the EIDO retrieval service
(``GET /EIDO/<incident id>``) of NENA-STA-024.1a, fed by the record store; ``eido subscribe URL``
is a subscriber that prints what a notifier sends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time

import click

from ..config import data_dir
from .common import load_settings_or_exit


@click.group()
def eido() -> None:
    """NENA EIDO conveyance: serve calls to CAD systems, or subscribe to a notifier."""


def _listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter(f'"{value}" is not HOST:PORT (e.g. 127.0.0.1:8765)', param_hint="--listen")
    return host, int(port)


@eido.command()
@click.option(
    "--listen",
    default=None,
    metavar="HOST:PORT",
    help="Where to listen (default: eido_listen in the config, else 127.0.0.1:8765).",
)
@click.option("--store", default=None, metavar="URL", help="A centre's postgresql:// store (default: from settings).")
@click.option("--local", is_flag=True, help="Read this console's local file even if a centre store is set.")
@click.option(
    "--poll",
    type=click.FloatRange(0.1, 60),
    default=1.0,
    show_default=True,
    help="Seconds between looks at the whole store when it cannot tell of changes as they are stored "
    "(PostgreSQL without LISTEN); changes it tells of are sent at once.",
)
@click.option(
    "--hours", type=click.FloatRange(0.1), default=24, show_default=True, help="Serve calls started in the last HOURS."
)
@click.option(
    "--protocol",
    "-p",
    "protocols",
    multiple=True,
    type=click.Path(exists=True),
    help="Protocol files the calls were triaged with, if recorded paths have moved.",
)
def serve(listen, store, local, poll, hours, protocols) -> None:
    """Serve the store's calls as EIDOs: WebSocket notifier and retrieval service (NENA-STA-024.1a).

    Access needs the token set as eido_token in the config (or CRISIS_TRIAGE_EIDO_TOKEN); with
    eido_tls_cert/eido_tls_key it serves TLS, and with eido_tls_client_ca it demands client
    certificates too. Requests and refusals are logged to stderr.
    """
    from ..interop.eido_server import EidoServer
    from ..interop.eido_store_feed import StorePoller, follow_store
    from ..store.event_feed import open_changes
    from .common import opened_reader, protocol_resolver

    settings = load_settings_or_exit(store=store)
    if not settings.eido_token:
        raise click.ClickException(
            "no access token: set eido_token in the config (or CRISIS_TRIAGE_EIDO_TOKEN); nothing is served without one"
        )
    host, port = _listen(listen or settings.eido_listen or "127.0.0.1:8765")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("websockets").setLevel(logging.WARNING)  # our own log says who connected and what they did
    from ..interop.eido_console import server_settings

    try:
        server = EidoServer(server_settings(settings, host, port)).start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(f"serving EIDOs on {host}:{server.port} (Ctrl-C to stop)", err=True)
    with opened_reader(store, local) as reader:
        poller = StorePoller(reader, protocol_resolver(protocols), server.publish)
        changes = open_changes(reader)
        try:
            follow_store(poller, changes, poll_s=poll, hours=hours)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
        finally:
            if changes is not None:
                changes.close()
            server.stop()


@eido.command()
@click.argument("url")
@click.option("--incident", default=None, help="Subscribe to this incident only (default: every incident).")
@click.option("--token", default=None, help="The notifier's access token (default: eido_token in the config).")
@click.option(
    "--expires",
    type=click.IntRange(1),
    default=None,
    help="Ask for a subscription of this many seconds (renewed before it ends).",
)
@click.option("--count", type=click.IntRange(1), default=None, help="Stop after this many notifications.")
@click.option("--json", "as_json", is_flag=True, help="Print every message as it came, one JSON object a line.")
@click.option(
    "--filter",
    "qual_filter",
    default=None,
    metavar="JSONPATH",
    help="Only incidents whose EIDO passes this qualFilter, e.g. \"$[?@.incidentTypeCommonRegistryText == 'SUICTHRT']\".",
)
@click.option(
    "--max-rate",
    type=click.IntRange(1),
    default=None,
    metavar="SECONDS",
    help="At most one notification per this many seconds (maxRate): changes in between come together.",
)
@click.option(
    "--min-rate",
    type=click.IntRange(1),
    default=None,
    metavar="SECONDS",
    help="Be sent the current EIDOs again after this many seconds without a notification (minRate).",
)
@click.option(
    "--inbox",
    is_flag=True,
    help="Keep every incident received in this console's EIDO inbox, for a call-taker to take from the home "
    "screen; subscribes again whenever the connection ends.",
)
def subscribe(url, incident, token, expires, count, as_json, qual_filter, max_rate, min_rate, inbox) -> None:
    """Subscribe to an EIDO notifier (ws:// or wss:// URL) and print what it sends.

    With --inbox this is how transfers arrive by subscription: another PSAP's, a 988 centre's or a
    CAD's notifier sends its incidents, each is kept in the inbox (the latest version of each), and
    the console's inbox screen starts a call from one with the same incident id."""
    from ..interop.eido_client import SubscribeError, notifications, subscribe as run, summary
    from ..interop.eido_inbox_feed import resubscribe_delay

    token = token or load_settings_or_exit().eido_token
    if not token:
        raise click.UsageError("give --token or set eido_token in the config")
    if not url.startswith(("ws://", "wss://")):
        raise click.BadParameter(f'"{url}" is not a ws:// or wss:// URL', param_hint="URL")
    if incident and qual_filter:
        raise click.UsageError("--filter narrows a subscription to every incident; it cannot go with --incident")
    notified = 0
    folder = data_dir() / "eido" / "inbox" if inbox else None
    failures = 0

    def show(message: dict) -> bool:
        nonlocal notified, failures
        click.echo(json.dumps(message, ensure_ascii=False) if as_json else summary(message))
        notified += "event" in message
        failures = 0 if "subscribeResponse" in message else failures
        if folder is not None:
            _keep_in_inbox(notifications(message), folder)
        return count is not None and notified >= count

    try:
        while True:
            try:
                asyncio.run(
                    run(
                        url,
                        token,
                        show,
                        incident_id=incident,
                        expires=expires,
                        qual_filter=qual_filter,
                        min_rate=min_rate,
                        max_rate=max_rate,
                    )
                )
                problem = "the notifier ended the subscription"
            except SubscribeError as exc:
                # A refusal (token, request) will not mend by itself; a notifier that is down may.
                if folder is None or not str(exc).startswith("cannot connect"):
                    raise click.ClickException(str(exc)) from None
                problem = str(exc)
            if folder is None or (count is not None and notified >= count):
                return
            # The inbox is a feed that must not die quietly: subscribe again, less often while it fails.
            delay = resubscribe_delay(failures)
            failures += 1
            click.echo(f"{problem}; subscribing again in {delay:.0f} s", err=True)
            time.sleep(delay)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _keep_in_inbox(documents: list[dict], folder) -> None:
    from ..interop.eido_in import EidoInError
    from ..interop.eido_inbox import keep

    for document in documents:
        try:
            keep(document, folder)
        except EidoInError as exc:
            click.echo(f"not kept: {exc}", err=True)
        except OSError as exc:
            raise click.ClickException(f"cannot write the EIDO inbox {folder}: {exc.strerror or exc}") from None
        else:
            click.echo(f"kept in the inbox: {document['$id']}", err=True)
