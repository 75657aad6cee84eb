"""The project's settings with curation installed, until the lead adds it to INSTALLED_APPS and urls.py."""
from learnflow.settings import *  # noqa: F401,F403
from learnflow.settings import INSTALLED_APPS

if "learnflow.curation" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "learnflow.curation"]
ROOT_URLCONF = "learnflow.curation.tests.urls"
LEARNFLOW_FETCH_ALLOW: list[str] = []
