"""HTML views."""
from __future__ import annotations

from django.http import Http404


def resource_detail(request, uid):  # placeholder until the library pages land
    raise Http404
