"""Fixtures for the xAPI document, Activities and Agents resources.

``xapi`` is a Django test client speaking xAPI with an organisation tool's key:
``xapi.put("/activities/state", params, body, content_type=..., headers={...}, version="2.0.0")``.
Query parameters are given as a dict; an ``agent`` dict is JSON-encoded for you.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

VERSIONS = ("1.0.3", "2.0.0")
ACTIVITY = "http://example.com/activities/onboarding"
ANN = {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.com"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 at its production cost makes every persona take seconds; these tests are not about it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() needs the database even in tests that do not.
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture(autouse=True)
def _xapi_urls(settings):
    settings.ROOT_URLCONF = "learnflow.lrs_documents.tests.urls"


@dataclass
class XapiClient:
    credentials: str
    version: str = "1.0.3"
    client: Client = field(default_factory=Client)

    def request(self, method: str, path: str, params: dict[str, Any] | None = None, body: bytes | str | dict = b"",
                *, content_type: str | None = None, headers: dict[str, str] | None = None,
                version: str | None = None):
        query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in (params or {}).items()}
        url = "/xapi" + path + ("?" + urlencode(query) if query else "")
        if isinstance(body, dict):
            body, content_type = json.dumps(body), content_type or "application/json"
        extra = {
            "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(self.credentials.encode()).decode(),
            "HTTP_X_EXPERIENCE_API_VERSION": version or self.version,
        }
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        if content_type is not None:
            extra["CONTENT_TYPE"] = content_type
        return self.client.generic(method, url, data=body, **extra)

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params, **kw)

    def head(self, path, params=None, **kw):
        return self.request("HEAD", path, params, **kw)

    def put(self, path, params=None, body=b"", **kw):
        return self.request("PUT", path, params, body, **kw)

    def post(self, path, params=None, body=b"", **kw):
        return self.request("POST", path, params, body, **kw)

    def delete(self, path, params=None, **kw):
        return self.request("DELETE", path, params, **kw)


@pytest.fixture
def tool_key(db):
    from learnflow.lrs.services import lrs_key_create

    return lrs_key_create(org_tool="Test LMS")


@pytest.fixture
def xapi(tool_key) -> XapiClient:
    return XapiClient(credentials=str(tool_key))


@pytest.fixture
def xapi_for(db):
    """A client with a person's own (untrusted) key."""
    from learnflow.lrs.services import lrs_key_create

    def make(user) -> XapiClient:
        return XapiClient(credentials=str(lrs_key_create(owner=user)))

    return make
