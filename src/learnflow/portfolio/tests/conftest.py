from __future__ import annotations

import pytest


@pytest.fixture
def portfolio_api():
    """The portfolio API's base path."""
    return "/api/portfolios"
