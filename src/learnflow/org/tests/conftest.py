"""Fixtures for the people-administration and CSV import tests (opted into by those modules, not autouse, so that
other tests in this folder run exactly as configured)."""
import pytest


@pytest.fixture
def admin_urls():
    """The people-admin pages are part of the project's URLs; kept as a fixture so the modules that name it read
    the same."""


@pytest.fixture
def fast_password_hashing():
    """The root conftest already hashes with a fast argon2 in every test."""


@pytest.fixture
def csv_bytes():
    def make(*lines: str) -> bytes:
        return ("\n".join(lines) + "\n").encode()

    return make
