"""``manage.py lrs_key create USERNAME`` / ``lrs_key create --org NAME`` / ``lrs_key revoke KEY``.

Prints a new key as KEY:SECRET (the secret is shown only once). The ``learnflow``
CLI's ``lrs-key`` command is a thin wrapper around this.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from learnflow.lrs.models import LrsKey
from learnflow.lrs.services import lrs_key_create


class Command(BaseCommand):
    help = "Create or revoke xAPI LRS keys (HTTP Basic credentials)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username", nargs="?")
        create.add_argument("--org", default="", help="organisation-level tool name (an LMS, a content platform)")
        create.add_argument("--label", default="")
        create.add_argument("--trusted", action="store_true", help="a person's key may write about anyone")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("key")

    def handle(self, *args, **opts):
        if opts["action"] == "revoke":
            updated = LrsKey.objects.filter(key=opts["key"], revoked_at__isnull=True).update(revoked_at=timezone.now())
            if not updated:
                raise CommandError("no active key with that id")
            self.stdout.write("revoked")
            return
        if bool(opts["username"]) == bool(opts["org"]):
            raise CommandError("give a USERNAME or --org NAME (not both)")
        owner = None
        if opts["username"]:
            try:
                owner = get_user_model().objects.get(username=opts["username"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"no person with username {opts['username']!r}") from None
        issued = lrs_key_create(owner=owner, org_tool=opts["org"], label=opts["label"], trusted=opts["trusted"])
        self.stdout.write(str(issued))
