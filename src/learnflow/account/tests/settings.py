"""The project's settings with the portfolio and account apps installed, until the lead adds them."""
from learnflow.settings import *  # noqa: F401,F403
from learnflow.settings import INSTALLED_APPS

for _app in ("learnflow.goals", "learnflow.development", "learnflow.portfolio", "learnflow.account"):
    if _app not in INSTALLED_APPS:
        INSTALLED_APPS = [*INSTALLED_APPS, _app]
ROOT_URLCONF = "learnflow.account.tests.urls"
