"""Deleting one's own account: private content gone, shared content anonymised, others untouched."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learnflow.account.services import account_delete, account_deletion_plan


@pytest.fixture
def ann_content(org, entry_factory, goal_factory, statement_for, upload):
    from learnflow.journal.services import attachment_add
    from learnflow.lrs.services import lrs_key_create

    private = entry_factory(org.ann, title="Private note")
    attachment_add(entry=private, actor=org.ann, upload=upload("private.txt", b"secret"))
    shared = entry_factory(org.ann, title="Shared with team", visibility="team")
    private_goal = goal_factory(org.ann, title="Private goal")
    shared_goal = goal_factory(org.ann, title="Shared goal", visibility="manager")
    statement = statement_for(org.ann)
    key = lrs_key_create(owner=org.ann, label="my tool").key
    return {"private": private, "shared": shared, "private_goal": private_goal, "shared_goal": shared_goal,
            "statement": statement, "key": key}


def test_deletion_plan_counts_what_will_happen(org, ann_content):
    plan = account_deletion_plan(user=org.ann)
    assert (plan.private_entries, plan.private_files, plan.shared_entries) == (1, 1, 1)
    assert (plan.private_goals, plan.shared_goals, plan.lrs_keys) == (1, 1, 1)
    assert plan.statements >= 1


def test_private_entries_and_their_files_are_deleted(org, ann_content, django_capture_on_commit_callbacks):
    from learnflow.journal.models import Entry

    path = ann_content["private"].attachments.get().file.path
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=org.ann, confirm_username="ann")
    assert not Entry.objects.filter(pk=ann_content["private"].pk).exists()
    import os

    assert not os.path.exists(path)


def test_shared_entry_is_kept_and_shown_as_former_colleague(org, ann_content):
    from learnflow.journal.selectors import entry_list

    account_delete(user=org.ann, confirm_username="ann")
    entry = entry_list(viewer=org.tim, scope="team").get(pk=ann_content["shared"].pk)
    assert entry.author.display_name == "Former colleague"


def test_account_is_deactivated_and_stripped_of_personal_details(org, ann_content):
    org.ann.email = "ann@example.org"
    org.ann.save()
    account_delete(user=org.ann, confirm_username="ann")
    org.ann.refresh_from_db()
    assert not org.ann.is_active and not org.ann.has_usable_password()
    assert (org.ann.email, org.ann.first_name, org.ann.last_name) == ("", "Former", "colleague")
    assert org.ann.username != "ann"


def test_private_goal_is_deleted_and_shared_goal_kept(org, ann_content):
    from learnflow.goals.models import Goal

    account_delete(user=org.ann, confirm_username="ann")
    assert not Goal.objects.filter(pk=ann_content["private_goal"].pk).exists()
    assert Goal.objects.filter(pk=ann_content["shared_goal"].pk).exists()


def test_statements_about_the_person_are_deleted_and_keys_revoked(org, ann_content):
    from learnflow.lrs.models import LrsKey, Statement

    account_delete(user=org.ann, confirm_username="ann")
    assert not Statement.objects.filter(pk=ann_content["statement"].pk).exists()
    assert LrsKey.objects.get(pk=ann_content["key"].pk).revoked_at is not None


def test_statements_go_with_their_index_rows(org, ann_content, statement_for):
    # The index rows' link to their statement is not a database constraint (lrs.models._IndexRow): the delete
    # itself must take them, or agent= and activity= queries would keep reading rows of nothing.
    from learnflow.lrs.models import StatementActivity, StatementAgent

    tims = statement_for(org.tim)
    anns = ann_content["statement"].pk
    assert StatementAgent.objects.filter(statement_id=anns).exists()
    assert StatementActivity.objects.filter(statement_id=anns).exists()
    account_delete(user=org.ann, confirm_username="ann")
    assert not StatementAgent.objects.filter(statement_id=anns).exists()
    assert not StatementActivity.objects.filter(statement_id=anns).exists()
    assert StatementAgent.objects.filter(statement_id=tims.pk).exists()


def test_other_peoples_content_is_untouched(org, ann_content, entry_factory):
    from learnflow.journal.models import Entry

    tims = entry_factory(org.tim, title="Tim's private note")
    account_delete(user=org.ann, confirm_username="ann")
    assert Entry.objects.filter(pk=tims.pk).exists()
    org.tim.refresh_from_db()
    assert org.tim.is_active and org.tim.username == "tim"


def test_wrong_username_confirmation_deletes_nothing(org, ann_content):
    from learnflow.journal.models import Entry

    with pytest.raises(ValidationError):
        account_delete(user=org.ann, confirm_username="Ann ")
    assert Entry.objects.filter(pk=ann_content["private"].pk).exists()
    org.ann.refresh_from_db()
    assert org.ann.is_active


def test_delete_page_states_the_counts(org, client, ann_content):
    client.force_login(org.ann)
    body = client.get(reverse("account:delete")).content.decode()
    assert "1 private journal entry" in body and "1 shared entry" in body


def test_delete_page_refuses_a_wrong_password_and_keeps_the_typed_username(org, client, ann_content):
    client.force_login(org.ann)
    response = client.post(reverse("account:delete"), {"confirm_username": "ann", "password": "wrong password"})
    assert response.status_code == 400 and 'value="ann"' in response.content.decode()
    org.ann.refresh_from_db()
    assert org.ann.is_active


def test_delete_page_deletes_and_logs_out_with_username_and_password(org, client, ann_content):
    client.force_login(org.ann)
    response = client.post(reverse("account:delete"), {"confirm_username": "ann", "password": org.password})
    assert response.status_code == 302
    org.ann.refresh_from_db()
    assert not org.ann.is_active
    assert client.get(reverse("account:data")).status_code == 302  # signed out: sent to the login page


def test_admin_cannot_delete_someone_else_through_the_page(org, client, ann_content):
    client.force_login(org.root)
    client.post(reverse("account:delete"), {"confirm_username": "ann", "password": org.password})
    org.ann.refresh_from_db()
    org.root.refresh_from_db()
    assert org.ann.is_active and org.root.is_active


def test_download_page_returns_a_zip_archive(org, client, ann_content):
    client.force_login(org.ann)
    response = client.get(reverse("account:download"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content).startswith(b"PK")
