"""Every read of the xAPI document resources, the Activities resource and the Agents resource.

Documents are global to the LRS (the spec does not scope them by credentials);
what Learnflow people see of their own xAPI data on its pages goes through
``learnflow.core.visibility`` like everything else, not through these selectors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from learnflow.lrs import indexing
from learnflow.lrs.models import LrsKey
from learnflow.lrs.services import person_ifis
from learnflow.lrs_documents.models import Activity, Document
from learnflow.lrs_documents.services import DocumentAddress


def document_get(*, address: DocumentAddress) -> Document | None:
    return Document.objects.filter(key=address.key).first()


def document_ids(*, address: DocumentAddress, since: dt.datetime | None = None) -> tuple[list[str], dt.datetime | None]:
    """Ids of the documents in a scope changed after ``since`` (exclusive), and when the latest changed.

    For the State resource without a registration this spans every registration.
    """
    qs = Document.objects.filter(scope=address.scope)
    if address.registration is not None:
        qs = qs.filter(registration=address.registration)
    if since is not None:
        qs = qs.filter(updated__gt=since)
    rows = list(qs.order_by("updated", "pk").values_list("document_id", "updated"))
    # One stateId can exist under several registrations; it is listed once.
    ids = list(dict.fromkeys(document_id for document_id, _ in rows))
    return ids, rows[-1][1] if rows else None


# ----------------------------------------------------------------------------- activities


def activity_get(*, iri: str) -> dict[str, Any]:
    """The canonical Activity object; a bare one when no statement has defined it."""
    activity = Activity.objects.filter(iri_hash=Activity.hash_iri(iri)).first()
    return activity.as_xapi() if activity else {"objectType": "Activity", "id": iri}


def activity_definitions_get(*, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Canonical definitions by IRI (only for activities that have one), for ``format=canonical``."""
    hashes = {Activity.hash_iri(iri) for iri in iris}
    return dict(Activity.objects.filter(iri_hash__in=hashes).values_list("iri", "definition"))


# ----------------------------------------------------------------------------- agents


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "http://localhost").rstrip("/")


def _learnflow_person(agent: dict[str, Any]) -> Any | None:
    """The Learnflow person an agent stands for, matched the way statements are linked to people."""
    User = get_user_model()
    if "mbox" in agent:
        candidate = User.objects.filter(email__iexact=agent["mbox"][len("mailto:"):]).first()
    elif "account" in agent and agent["account"]["homePage"].rstrip("/") == _site_url():
        candidate = User.objects.filter(username=agent["account"]["name"]).first()
    else:
        return None
    if candidate is None or indexing.agent_ifi(agent) not in person_ifis(candidate):
        return None
    return candidate


def _may_combine(key: LrsKey | None, person: Any) -> bool:
    # Combining identifiers tells the caller a person's other accounts: only the person's own
    # key and the organisation's trusted tools learn that.
    if key is None:
        return False
    return key.owner_id is None or key.trusted or key.owner_id == person.pk


def person_for_agent(*, agent: dict[str, Any], key: LrsKey | None) -> dict[str, Any]:
    """The Person object for an Agent: the agent itself, plus, when it is a Learnflow person and
    the caller may know it, that person's other identifiers."""
    values: dict[str, list[Any]] = {"name": [], "mbox": [], "mbox_sha1sum": [], "openid": [], "account": []}

    def same(prop: str, value: Any) -> Any:
        if prop == "mbox":
            return value.lower()
        if prop == "account":
            return value["homePage"].rstrip("/"), value["name"]
        return value

    def add(prop: str, value: Any) -> None:
        if value and all(same(prop, value) != same(prop, seen) for seen in values[prop]):
            values[prop].append(value)

    add("name", agent.get("name"))
    for prop in ("mbox", "mbox_sha1sum", "openid", "account"):
        add(prop, agent.get(prop))
    person = _learnflow_person(agent)
    if person is not None and _may_combine(key, person):
        add("name", person.get_full_name() or person.username)
        add("account", {"homePage": _site_url(), "name": person.username})
        if person.email:
            add("mbox", "mailto:" + person.email.lower())
    return {"objectType": "Person", **{prop: found for prop, found in values.items() if found}}
