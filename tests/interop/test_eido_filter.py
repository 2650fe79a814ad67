"""Subscription filters (NENA-STA-024.1a qualFilter): a subscriber to all incidents hears only those whose
EIDO passes its filter; a filter with an incident id, or one that cannot be read, is refused (400)."""

from __future__ import annotations

import asyncio

import pytest

from crisis_triage.interop.eido_filter import MAX_FILTER_CHARS, FilterError, parse_filter
from tests.interop.test_eido_conveyance import Client, server  # noqa: F401 - the fixture

SUICIDE = "$[?@.incidentTypeCommonRegistryText == 'SUICTHRT' || @.incidentTypeCommonRegistryText == 'SUICIDE']"


def _incident(incident_id: str, code: str, district: str = "B2", status: str = "Active", **extra) -> dict:
    return {
        "$id": incident_id,
        "lastUpdateTimeStamp": "2026-03-10T12:00:00Z",
        "incidentComponent": {
            "incidentTypeCommonRegistryText": code,
            "incidentStatusCommonRegistryText": [status],
            "beatOrDispatchGroupText": district,
            "incidentCommonPriorityNumber": 1 if code == "SUICTHRT" else 3,
        },
        **extra,
    }


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        (SUICIDE, {"a"}),
        ("$[?@.beatOrDispatchGroupText == 'B3']", {"b"}),
        ("$.incidentComponent[?@.beatOrDispatchGroupText == 'B3']", set()),  # @ is each member's value there
        ("$.incidentComponent.incidentStatusCommonRegistryText[?@ == 'Closed']", {"c"}),
        ("$[?@.incidentCommonPriorityNumber <= 2]", {"a"}),
        ("$[?@.incidentCommonPriorityNumber > 2 && @.beatOrDispatchGroupText != 'B3']", {"c"}),
        ("$.dispatchComponent", {"b"}),
        ("$[?@.incidentTypeCommonRegistryText && !(@.beatOrDispatchGroupText == 'B2')]", {"b"}),
        ('$["incidentComponent"]["incidentTypeCommonRegistryText"]', {"a", "b", "c"}),
        ("$..beatOrDispatchGroupText", {"a", "b", "c"}),
        ("$.dispatchComponent[0]", {"b"}),
        ("$.dispatchComponent[5]", set()),
    ],
)
def test_filters_select_incidents_by_their_eido(text, passes):
    documents = {
        "a": _incident("a", "SUICTHRT"),
        "b": _incident("b", "OD", "B3", dispatchComponent=[{"$id": "d"}]),
        "c": _incident("c", "MNTL", status="Closed"),
    }
    query = parse_filter(text)
    assert {k for k, d in documents.items() if query.matches(d)} == passes


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "non-empty"),
        ("incidentComponent", "column 1: expected '\\$'"),
        ("$[", "the end: expected"),
        ("$[?@.* == 'x']", "paths to one value"),
        ("$[?'x']", "a literal alone"),
        ("$.a b", "column 5: unexpected 'b'"),
        ("$[?@.a ~ 'x']", "column 8: unexpected"),
        ("$[?@.a == ]", "column 11: expected a path"),
        ("$[?" + "(" * 40 + "@.a" + ")" * 40 + "]", "nests more than"),
        ("$." + "a" * MAX_FILTER_CHARS, "characters; at most"),
    ],
)
def test_a_filter_that_cannot_be_read_says_where(text, why):
    with pytest.raises(FilterError, match=why):
        parse_filter(text)


def test_a_filtered_subscription_hears_only_passing_incidents(server):  # noqa: F811 - the fixture
    server.published(_incident("open-suicide", "SUICTHRT"))
    server.published(_incident("open-od", "OD"))
    server.published(_incident("closed-suicide", "SUICTHRT", status="Closed"))

    async def scenario():
        client = await Client.open(server)
        await client.send(
            {"subscribe": {"requestId": "f1", "requestType": "EIDO", "requestSubType": "new", "qualFilter": SUICIDE,
                           "qualFilterEvalPeriod": 30}}
        )  # fmt: skip
        answer = (await client.next())["subscribeResponse"]
        assert (answer["statusCode"], answer["qualFilterEvalPeriod"]) == (200, 30)
        assert [d["$id"] for d in await client.events(1)] == ["open-suicide"], "open incidents that pass, only"
        assert server.published(_incident("open-od", "OD", district="B3")) == 0
        assert server.published(_incident("new-one", "SUICIDE")) == 1
        assert server.published(_incident("open-od", "SUICTHRT")) == 1, "an incident that comes to pass is heard"
        assert [d["$id"] for d in await client.events(2)] == ["new-one", "open-od"]
        for body, why in [
            ({"incidentId": "open-od", "requestSubType": "single", "qualFilter": SUICIDE}, "must not come with"),
            ({"requestSubType": "new", "qualFilter": "$[?"}, "ends where a value was expected"),
            ({"requestSubType": "new", "qualFilter": SUICIDE, "qualFilterEvalPeriod": 0}, "qualFilterEvalPeriod"),
            ({"requestSubType": "new", "incidentId": "open-od"}, "needs requestSubType"),
        ]:
            await client.send({"subscribe": {"requestId": "bad", "requestType": "EIDO", **body}})
            answer = (await client.next())["subscribeResponse"]
            assert answer["statusCode"] == 400 and why in answer["statusText"], answer
        await client.connection.close()

    asyncio.run(scenario())
