"""Project settings plus this app, for running the LRS before the project wires it in."""

from learnflow.settings import *  # noqa: F403

if "learnflow.lrs" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "learnflow.lrs"]  # noqa: F405
ROOT_URLCONF = "learnflow.lrs.tests.urls"
