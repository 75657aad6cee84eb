from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from django.db import transaction
from django.utils import timezone

from learnflow.concierge.models import Interaction


@transaction.atomic
def interaction_record(*, helper: Any, helped: Any | None, kind: str, about: str = "", topics: Sequence[Any] = (),
                       source_type: str = "", source_id: str | int = "", at: dt.datetime | None = None) -> Interaction:
    interaction = Interaction.objects.create(helper=helper, helped=helped, kind=kind, about=about[:300],
                                             source_type=source_type, source_id=str(source_id),
                                             at=at or timezone.now())
    if topics:
        interaction.topics.set(topics)
    return interaction
