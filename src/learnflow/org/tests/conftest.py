"""Fixtures for the people-administration and CSV import tests (opted into by those modules, not autouse, so that
other tests in this folder run exactly as configured)."""
import pytest


@pytest.fixture
def admin_urls(settings):
    settings.ROOT_URLCONF = "learnflow.org.tests.urls"


@pytest.fixture
def fast_password_hashing(settings):
    # Argon2's deliberate slowness is not what these tests exercise; the personas need seven hashes per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def csv_bytes():
    def make(*lines: str) -> bytes:
        return ("\n".join(lines) + "\n").encode()

    return make
