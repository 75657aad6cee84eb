"""“Download all my data” and its import: the round trip loses nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.utils import timezone

from learnflow.account.archive import account_export, account_import
from learnflow.account.services import account_delete


@pytest.fixture
def ann_everything(org, entry_factory, goal_factory, statement_for, upload):
    from learnflow.goals import services as goals
    from learnflow.journal import services as journal
    from learnflow.portfolio import services as portfolios
    from learnflow.record.models import StatementShare

    private = entry_factory(org.ann, title="Private insight", body="Body **md**", tags=["python"], skills=["Python"],
                            reflection={"learned": "fixtures compose"}, minutes=30,
                            links=[journal.LinkIn(url="https://docs.pytest.org/", title="pytest")])
    journal.attachment_add(entry=private, actor=org.ann, upload=upload("pic.png", b"\x89PNG\r\n\x1a\n\x00\xffbinary"))
    shared = entry_factory(org.ann, title="Shared with team", visibility="team", share_note="useful")
    journal.weekly_review_save(author=org.ann, week_start=dt.date(2026, 11, 16), went_well="a", key_learning="b",
                               next_week="c")
    goal = goal_factory(org.ann, title="Lead a design review", why="Because", success="Reviews happen")
    step = goals.step_add(goal=goal, actor=org.ann, title="Read the guide")
    goals.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=private, step=step, note="shows it")
    goals.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/talk", title="Talk")
    goals.goal_evidence_add_file(owner=org.ann, goal=goal, upload=upload("slides.pdf", b"%PDF-1.4 slides"))
    statement = statement_for(org.ann)
    goals.goal_evidence_add_activity(owner=org.ann, goal=goal, statement=statement)
    StatementShare.objects.create(statement=statement, owner=org.ann, visibility="manager", note="look")
    portfolio = portfolios.portfolio_create(owner=org.ann, title="My portfolio", intro="Intro")
    portfolios.portfolio_item_add(portfolio=portfolio, actor=org.ann, kind="goal", target_id=goal.pk)
    portfolios.portfolio_item_add(portfolio=portfolio, actor=org.ann, kind="entry", target_id=shared.pk, note="n")
    portfolios.portfolio_item_add(portfolio=portfolio, actor=org.ann, kind="activity", target_id=statement.pk)
    return {"private": private, "shared": shared, "goal": goal, "statement": statement}


def _export(user) -> bytes:
    buffer = io.BytesIO()
    account_export(user=user, out=buffer)
    return buffer.getvalue()


def _snapshot(user) -> dict:
    """Every field of everything the person owns, keyed by stable identity, files by their bytes."""
    from learnflow.goals.models import Goal
    from learnflow.journal.models import Entry, WeeklyReview
    from learnflow.lrs.models import Statement
    from learnflow.portfolio.models import Portfolio

    def read(f):
        with f.open("rb") as h:
            return h.read()

    entries = {}
    for e in Entry.objects.owned_by(user).prefetch_related("tags", "skills", "links", "attachments"):
        entries[e.title] = {
            "fields": [getattr(e, f) for f in ("title", "body", "way", "learned_on", "minutes", "visibility",
                                               "share_note", "reflection_happened", "reflection_learned",
                                               "reflection_apply", "reflection_differently", "created_at",
                                               "updated_at")],
            "tags": sorted(t.name for t in e.tags.all()), "skills": sorted(s.name for s in e.skills.all()),
            "links": [(link.url, link.title) for link in e.links.all()],
            "files": [(a.original_name, a.content_type, a.size, a.sha256, a.created_at, read(a.file))
                      for a in e.attachments.all()],
        }
    goals = {}
    for g in Goal.objects.owned_by(user):
        goals[str(g.uid)] = {
            "fields": [getattr(g, f) for f in ("title", "why", "success", "target_date", "status", "visibility",
                                               "achieved_on", "created_at", "updated_at")],
            "steps": [(s.title, s.position, s.due_date, s.done, s.done_on, s.created_at) for s in g.steps.all()],
            "evidence": [(ev.kind, ev.step.title if ev.step_id else None, ev.entry.title if ev.entry_id else None,
                          str(ev.statement.id) if ev.statement_id else None, ev.url, ev.title, ev.note,
                          ev.original_name, ev.content_type, ev.size, ev.sha256, ev.created_at,
                          read(ev.file) if ev.file else None) for ev in g.evidence.all()],
        }
    statements = {str(s.id): (s.full_json, s.stored, s.timestamp, s.verb_iri, s.object_iri,
                              getattr(getattr(s, "share", None), "visibility", None))
                  for s in Statement.objects.filter(person=user)}
    portfolios = {str(p.uid): (p.title, p.intro, p.share_organisation,
                               [(i.kind, i.position, i.note, i.target_id is not None) for i in p.items.all()])
                  for p in Portfolio.objects.filter(owner=user)}
    reviews = [(r.week_start, r.went_well, r.key_learning, r.next_week, r.created_at, r.updated_at)
               for r in WeeklyReview.objects.filter(author=user)]
    profile = (user.first_name, user.last_name, user.email, user.job_title, user.timezone)
    return {"entries": entries, "goals": goals, "statements": statements, "portfolios": portfolios,
            "reviews": reviews, "profile": profile}


def test_archive_has_a_manifest_with_format_and_version(org, ann_everything):
    with zipfile.ZipFile(io.BytesIO(_export(org.ann))) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert (manifest["format"], manifest["version"]) == ("learnflow-account", 1)
        for item in manifest["files"]:
            assert hashlib.sha256(zf.read(item["path"])).hexdigest() == item["sha256"]
        assert any(n.startswith("journal/files/") for n in zf.namelist())
        assert "journal/journal.md" in zf.namelist() and "goals/goals.md" in zf.namelist()


def test_archive_holds_no_entry_others_shared_with_the_person(org, ann_everything, entry_factory):
    entry_factory(org.tim, title="Tim's team learning", visibility="team")
    with zipfile.ZipFile(io.BytesIO(_export(org.ann))) as zf:
        assert b"Tim's team learning" not in zf.read("journal/journal.json")


def test_round_trip_after_deleting_the_account_loses_nothing(org, ann_everything):
    org.ann.email = "ann@example.org"
    org.ann.job_title = "Engineer"
    org.ann.save()
    before = _snapshot(org.ann)
    data = _export(org.ann)
    account_delete(user=org.ann, confirm_username="ann")
    report = account_import(source=io.BytesIO(data))
    from django.contrib.auth import get_user_model

    restored = get_user_model().objects.get(username="ann")
    after = _snapshot(restored)
    assert report.created_user
    # The import itself is recorded (Learnflow's own statements about logging entries): new statements, not losses.
    assert after.pop("statements").items() >= before.pop("statements").items()
    assert after == before


def test_round_trip_into_another_username_on_the_same_instance_keeps_journal_goals_and_portfolios(org,
                                                                                                  ann_everything):
    before = _snapshot(org.ann)
    account_import(source=io.BytesIO(_export(org.ann)), username="ann2")
    from django.contrib.auth import get_user_model

    after = _snapshot(get_user_model().objects.get(username="ann2"))
    assert after["entries"] == before["entries"] and after["reviews"] == before["reviews"]
    assert [g["fields"] for g in after["goals"].values()] == [g["fields"] for g in before["goals"].values()]
    assert len(after["portfolios"]) == 1


def test_importing_the_same_archive_twice_adds_nothing_the_second_time(org, ann_everything):
    data = _export(org.ann)
    account_import(source=io.BytesIO(data), username="ann2")
    report = account_import(source=io.BytesIO(data), username="ann2")
    assert (report.goals, report.portfolios, report.goals_present, report.portfolios_present) == (0, 0, 1, 1)


def test_cli_export_and_import_print_what_they_did(org, ann_everything, tmp_path, capsys):
    from learnflow.account.archive import export_archive_cli, import_archive_cli

    out = tmp_path / "ann.zip"
    export_archive_cli(username="ann", out=out)
    assert "Exported all data of ann" in capsys.readouterr().out
    import_archive_cli(file=out, as_username="ann3")
    assert "Imported" in capsys.readouterr().out


def test_archive_holds_check_ins_shared_with_the_person_and_not_the_managers_private_notes(org):
    from learnflow.development.services import check_in_create
    from learnflow.journal.services import today_for

    day = today_for(org.boss)
    check_in_create(manager=org.boss, report=org.ann, held_on=day, notes="Shared notes", shared_with_report=True)
    check_in_create(manager=org.boss, report=org.ann, held_on=day, notes="Boss's private notes")
    with zipfile.ZipFile(io.BytesIO(_export(org.ann))) as zf:
        document = json.loads(zf.read("development/check-ins.json"))
    assert [c["notes"] for c in document["check_ins"]] == ["Shared notes"]


def test_statement_attachment_content_survives_delete_and_import(org):
    from django.conf import settings

    from learnflow.lrs.models import AttachmentBlob
    from learnflow.lrs.services import lrs_key_create, statements_store

    content = b"certificate of completion"
    sha2 = hashlib.sha256(content).hexdigest()
    statement = {
        "actor": {"objectType": "Agent", "name": "Ann",
                  "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": "ann"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": "https://lms.example/c/2"},
        "attachments": [{"usageType": "http://id.tincanapi.com/attachment/certificate",
                         "display": {"en-US": "certificate"}, "contentType": "text/plain",
                         "length": len(content), "sha2": sha2}],
    }
    statements_store(key=lrs_key_create(org_tool="LMS").key, statements=[statement], version="1.0.3",
                     attachments={sha2: ("text/plain", content)})
    data = _export(org.ann)
    account_delete(user=org.ann, confirm_username="ann")
    assert not AttachmentBlob.objects.filter(sha2=sha2).exists()
    account_import(source=io.BytesIO(data))
    assert bytes(AttachmentBlob.objects.get(sha2=sha2).content) == content
