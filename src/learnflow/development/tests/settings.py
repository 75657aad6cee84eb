"""The project's settings with this app installed, until the lead adds it to learnflow/settings.py."""
from learnflow.settings import *  # noqa: F401,F403
from learnflow.settings import INSTALLED_APPS

if "learnflow.development" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "learnflow.development"]
ROOT_URLCONF = "learnflow.development.tests.urls"
