"""xAPI HTTP resources owned by this app: /activities/state, /activities/profile,
/agents/profile, /activities and /agents. Request plumbing (versions, auth, HEAD,
alternate syntax, errors) comes from ``learnflow.lrs.http``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from learnflow.lrs import indexing, validation
from learnflow.lrs.http import XapiError, XapiRequest, http_date, json_response, parse_agent_param, xapi_endpoint
from learnflow.lrs.models import LrsKey
from learnflow.lrs_documents import selectors, services
from learnflow.lrs_documents.models import Document, DocumentKind

# ----------------------------------------------------------------------------- parameters


def _reject_unknown(xreq: XapiRequest, allowed: set[str]) -> None:
    unknown = set(xreq.params) - allowed
    if unknown:
        raise XapiError(400, f"unexpected parameters: {', '.join(sorted(unknown))} "
                             f"(this request takes {', '.join(sorted(allowed))})")


def _required(xreq: XapiRequest, name: str) -> str:
    value = xreq.params.get(name)
    if not value:
        raise XapiError(400, f"the '{name}' parameter is required")
    return value


def _activity_iri(xreq: XapiRequest) -> str:
    iri = _required(xreq, "activityId")
    if not validation.is_iri(iri):
        raise XapiError(400, "activityId must be an IRI")
    return iri


def _agent(xreq: XapiRequest) -> dict[str, Any]:
    _required(xreq, "agent")
    agent = parse_agent_param(xreq, "agent")
    assert agent is not None
    if indexing.agent_ifi(agent) is None:
        raise XapiError(400, "agent must be an Agent (or identified Group) with an mbox, mbox_sha1sum, "
                             "openid or account")
    return agent


def _own_agent_only(xreq: XapiRequest, agent_ifi: str) -> None:
    """A person's (untrusted) key reaches only that person's state and agent profile: another person's documents
    are part of their record, private like the rest."""
    key = xreq.key
    if key is not None and key.owner_id and not key.trusted:
        from learnflow.lrs.services import person_ifis

        if agent_ifi not in person_ifis(key.owner):
            raise XapiError(403, "a person's key can only read and write that person's documents")


def _registration(xreq: XapiRequest) -> uuid.UUID | None:
    value = xreq.params.get("registration")
    if value is None:
        return None
    if not validation.is_uuid(value):
        raise XapiError(400, "registration must be a UUID")
    return uuid.UUID(value)


def _since(xreq: XapiRequest) -> dt.datetime | None:
    value = xreq.params.get("since")
    if value is None:
        return None
    try:
        return validation.parse_timestamp(value, "since")
    except validation.ValidationError:
        raise XapiError(400, "since must be an ISO 8601 timestamp") from None


def _preconditions(xreq: XapiRequest) -> services.Preconditions:
    return services.Preconditions(if_match=xreq.headers.get("If-Match"),
                                  if_none_match=xreq.headers.get("If-None-Match"))


def _upload(xreq: XapiRequest) -> services.Upload:
    return services.Upload(content=xreq.body, content_type=(xreq.headers.get("Content-Type") or "").strip())


# ----------------------------------------------------------------------------- responses


def _no_content() -> HttpResponse:
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response


def _written(document: Document) -> HttpResponse:
    response = _no_content()
    response["ETag"] = document.etag
    response["Last-Modified"] = http_date(document.updated)
    return response


def _document_response(xreq: XapiRequest, document: Document) -> HttpResponse:
    if_none_match = xreq.headers.get("If-None-Match")
    tags = [t.strip().removeprefix("W/") for t in (if_none_match or "").split(",") if t.strip()]
    if if_none_match is not None and ("*" in tags or document.etag in tags):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["ETag"] = document.etag
    response["Last-Modified"] = http_date(document.updated)
    return response


# ----------------------------------------------------------------------------- the three document resources


@dataclass(frozen=True)
class DocumentResource:
    kind: DocumentKind
    id_param: str
    by_activity: bool
    by_agent: bool
    by_registration: bool = False

    @property
    def address_params(self) -> set[str]:
        params = {self.id_param}
        params |= {"activityId"} if self.by_activity else set()
        params |= {"agent"} if self.by_agent else set()
        params |= {"registration"} if self.by_registration else set()
        return params

    def address(self, xreq: XapiRequest, *, document_id: str | None) -> services.DocumentAddress:
        activity_iri = _activity_iri(xreq) if self.by_activity else ""
        agent_ifi = (indexing.agent_ifi(_agent(xreq)) or "") if self.by_agent else ""
        if agent_ifi:
            _own_agent_only(xreq, agent_ifi)
        registration = _registration(xreq) if self.by_registration else None
        return services.DocumentAddress(kind=self.kind, document_id=document_id, activity_iri=activity_iri,
                                        agent_ifi=agent_ifi, registration=registration)


STATE = DocumentResource(DocumentKind.STATE, "stateId", by_activity=True, by_agent=True, by_registration=True)
ACTIVITY_PROFILE = DocumentResource(DocumentKind.ACTIVITY_PROFILE, "profileId", by_activity=True, by_agent=False)
AGENT_PROFILE = DocumentResource(DocumentKind.AGENT_PROFILE, "profileId", by_activity=False, by_agent=True)


def _serve(xreq: XapiRequest, resource: DocumentResource) -> HttpResponse:
    if xreq.method == "GET":
        _reject_unknown(xreq, resource.address_params | {"since"})
        if resource.id_param in xreq.params and "since" in xreq.params:
            raise XapiError(400, f"since is only for listing ids: leave out {resource.id_param} or since")
        if resource.id_param in xreq.params:
            address = resource.address(xreq, document_id=_required(xreq, resource.id_param))
            document = selectors.document_get(address=address)
            if document is None:
                raise XapiError(404, "no such document")
            return _document_response(xreq, document)
        address = resource.address(xreq, document_id=None)
        ids, latest = selectors.document_ids(address=address, since=_since(xreq))
        return json_response(ids, headers={"Last-Modified": http_date(latest)} if latest else None)

    _reject_unknown(xreq, resource.address_params)
    if xreq.key is not None and xreq.key.scope == LrsKey.Scope.READ:
        raise XapiError(403, "this key may only read")
    if xreq.method == "DELETE" and resource.kind == DocumentKind.STATE and resource.id_param not in xreq.params:
        services.documents_delete(address=resource.address(xreq, document_id=None))
        return _no_content()
    address = resource.address(xreq, document_id=_required(xreq, resource.id_param))
    if xreq.method == "DELETE":
        services.document_delete(address=address, preconditions=_preconditions(xreq), version=xreq.version)
        return _no_content()
    write = services.document_put if xreq.method == "PUT" else services.document_post
    document = write(address=address, upload=_upload(xreq), preconditions=_preconditions(xreq), version=xreq.version)
    return _written(document)


@xapi_endpoint(methods=("GET", "PUT", "POST", "DELETE"))
def activity_state(xreq: XapiRequest) -> HttpResponse:
    return _serve(xreq, STATE)


@xapi_endpoint(methods=("GET", "PUT", "POST", "DELETE"))
def activity_profile(xreq: XapiRequest) -> HttpResponse:
    return _serve(xreq, ACTIVITY_PROFILE)


@xapi_endpoint(methods=("GET", "PUT", "POST", "DELETE"))
def agent_profile(xreq: XapiRequest) -> HttpResponse:
    return _serve(xreq, AGENT_PROFILE)


# ----------------------------------------------------------------------------- activities and agents


@xapi_endpoint(methods=("GET",))
def activities(xreq: XapiRequest) -> HttpResponse:
    _reject_unknown(xreq, {"activityId"})
    return json_response(selectors.activity_get(iri=_activity_iri(xreq)))


@xapi_endpoint(methods=("GET",))
def agents(xreq: XapiRequest) -> HttpResponse:
    _reject_unknown(xreq, {"agent"})
    agent = _agent(xreq)
    if agent.get("objectType") == "Group":
        raise XapiError(400, "agent must be an Agent, not a Group")
    return json_response(selectors.person_for_agent(agent=agent, key=xreq.key))
