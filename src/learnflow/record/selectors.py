"""Reads of a person's recorded xAPI activity. Statements about a person are theirs: only they see them, unless
they shared one (then core.visibility decides, as for journal entries)."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from learnflow.core.errors import NotFound
from learnflow.core.visibility import visible_q
from learnflow.lrs.models import Statement
from learnflow.record.models import StatementShare

LANGS = ("en-US", "en-GB", "en")


def _lang(value: Any) -> str:
    if not isinstance(value, dict) or not value:
        return ""
    for lang in LANGS:
        if value.get(lang):
            return str(value[lang])
    return str(next(iter(value.values())))


@dataclass
class ActivityView:
    """A statement, readable: who did what to which object, with what result, in which context."""

    statement: Statement
    actor: str
    verb: str
    verb_iri: str
    object_name: str
    object_id: str
    object_type: str
    description: str = ""
    result: list[tuple[str, str]] = field(default_factory=list)
    context: list[tuple[str, str]] = field(default_factory=list)
    share: StatementShare | None = None
    reflection_entry_id: int | None = None

    @property
    def when(self) -> dt.datetime:
        return self.statement.timestamp

    @property
    def learned_on(self) -> dt.date:
        return self.statement.timestamp.date()


def _duration(value: str) -> str:
    return value.replace("PT", "").replace("H", " h ").replace("M", " min ").replace("S", " s").strip() or value


def describe(statement: Statement) -> ActivityView:
    data = json.loads(statement.full_json)
    actor = data.get("actor", {})
    obj = data.get("object", {})
    definition = obj.get("definition", {}) if isinstance(obj, dict) else {}
    verb = data.get("verb", {})
    verb_name = _lang(verb.get("display")) or verb.get("id", "").rstrip("/").rsplit("/", 1)[-1]
    object_type = obj.get("objectType", "Activity")
    if object_type in ("Agent", "Group"):
        object_name = obj.get("name") or "someone"
    elif object_type == "StatementRef":
        object_name = f"statement {obj.get('id', '')}"
    elif object_type == "SubStatement":
        object_name = "a sub-statement"
    else:
        object_name = _lang(definition.get("name")) or obj.get("id", "")
    result_rows: list[tuple[str, str]] = []
    result = data.get("result") or {}
    score = result.get("score") or {}
    if "scaled" in score:
        result_rows.append(("Score", f"{round(float(score['scaled']) * 100)}%"))
    elif "raw" in score:
        result_rows.append(("Score", f"{score['raw']}" + (f" / {score['max']}" if "max" in score else "")))
    if "success" in result:
        result_rows.append(("Success", "yes" if result["success"] else "no"))
    if "completion" in result:
        result_rows.append(("Completed", "yes" if result["completion"] else "no"))
    if result.get("duration"):
        result_rows.append(("Duration", _duration(result["duration"])))
    if result.get("response"):
        result_rows.append(("Response", str(result["response"])[:500]))
    context_rows: list[tuple[str, str]] = []
    context = data.get("context") or {}
    if context.get("platform"):
        context_rows.append(("Platform", context["platform"]))
    for kind in ("parent", "grouping"):
        for activity in (context.get("contextActivities") or {}).get(kind, []) or []:
            name = _lang((activity.get("definition") or {}).get("name")) or activity.get("id", "")
            context_rows.append(("Part of" if kind == "parent" else "Within", name))
    if context.get("instructor"):
        context_rows.append(("Instructor", context["instructor"].get("name") or "an instructor"))
    if context.get("registration"):
        context_rows.append(("Registration", context["registration"]))
    authority = (data.get("authority") or {})
    if authority.get("name"):
        context_rows.append(("Recorded by", authority["name"]))
    return ActivityView(
        statement=statement, actor=actor.get("name") or "", verb=verb_name, verb_iri=verb.get("id", ""),
        object_name=object_name, object_id=obj.get("id", "") if isinstance(obj, dict) else "",
        object_type=str(definition.get("type") or "").rstrip("/").rsplit("/", 1)[-1],
        description=_lang(definition.get("description")), result=result_rows, context=context_rows,
    )


def _own(viewer: Any) -> QuerySet[Statement]:
    return Statement.objects.filter(person_id=viewer.pk, voided=False, is_voiding=False)


def _attach(statements: list[Statement]) -> list[ActivityView]:
    from learnflow.record.models import StatementReflection

    if not statements:
        return []
    views = [describe(s) for s in statements]
    seqs = [s.seq for s in statements]
    shares = {s.statement_id: s for s in StatementShare.objects.filter(statement_id__in=seqs)}
    reflections = dict(StatementReflection.objects.filter(statement_id__in=seqs).values_list("statement_id",
                                                                                             "entry_id"))
    for v in views:
        v.share = shares.get(v.statement.seq)
        v.reflection_entry_id = reflections.get(v.statement.seq)
    return views


def recorded_activity(*, viewer: Any, date_from: dt.date | None = None, date_to: dt.date | None = None,
                      limit: int = 50, include_learnflow: bool = False) -> list[ActivityView]:
    """The viewer's own recorded activity, newest first. Learnflow's own statements (logged, shared …) mirror the
    journal and are left out unless asked for."""
    qs = _own(viewer)
    if not include_learnflow:
        qs = qs.exclude(key__org_tool="Learnflow")
    if date_from:
        qs = qs.filter(timestamp__date__gte=date_from)
    if date_to:
        qs = qs.filter(timestamp__date__lte=date_to)
    return _attach(list(qs.order_by("-timestamp", "-seq")[:limit]))


def shared_statements_q(viewer: Any) -> Q:
    """Statements whose owner shared them with the viewer (through core.visibility)."""
    shared = StatementShare.objects.filter(visible_q(viewer, owner="owner")).exclude(visibility="private")
    return Q(seq__in=shared.values("statement_id"))


def activity_get(*, viewer: Any, statement_id: str) -> ActivityView:
    import uuid

    try:
        sid = uuid.UUID(str(statement_id))
    except ValueError:
        raise NotFound("No such activity.") from None
    statement = (Statement.objects.filter(id=sid, voided=False)
                 .filter(Q(person_id=viewer.pk) | shared_statements_q(viewer)).first())
    if statement is None:
        raise NotFound("No such activity, or it is not shared with you.")
    return _attach([statement])[0]


def shared_activity(*, viewer: Any, limit: int = 50) -> list[ActivityView]:
    qs = Statement.objects.filter(shared_statements_q(viewer), voided=False).exclude(person_id=viewer.pk)
    return _attach(list(qs.select_related("person").order_by("-timestamp")[:limit]))
