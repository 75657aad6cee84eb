"""Project settings with ``tests.urls`` as the URL conf: lets ``learnflow serve`` answer the document
resources whether or not ``learnflow.lrs.urls`` includes them
(DJANGO_SETTINGS_MODULE=learnflow.lrs_documents.tests.settings)."""

from learnflow.settings import *  # noqa: F403

ROOT_URLCONF = "learnflow.lrs_documents.tests.urls"
