"""Data: (1) prompts that have not opened yet leave their community's post_count until they open (they were counted
when scheduled); (2) text that core.markdown.plain_text stored still entity-encoded (`&lt;b&gt;`, shown as such
once a page escaped it again) becomes the text it stands for: post excerpts, resource notes taken from a share's
body, and the summaries of discussion summary pages. Rows without '&' are untouched, so this reads little."""
from __future__ import annotations

import html

from django.db import migrations
from django.db.models import Count, F, Min
from django.utils import timezone


def _was_escaped(text: str) -> bool:
    # Written by plain_text: every '&' in it starts an entity. A note someone typed ("R&D") is left alone.
    return html.escape(html.unescape(text), quote=False) == text


def forwards(apps, schema_editor):
    Community = apps.get_model("community", "Community")
    Post = apps.get_model("community", "Post")
    CommunityResource = apps.get_model("community", "CommunityResource")
    GuidedDiscussion = apps.get_model("community", "GuidedDiscussion")
    Resource = apps.get_model("library", "Resource")

    now = timezone.now()
    pending = Post.objects.filter(kind="prompt", opens_at__gt=now)
    for row in pending.order_by().values("community_id").annotate(n=Count("id"), first=Min("opens_at")):
        Community.objects.filter(pk=row["community_id"]).update(post_count=F("post_count") - row["n"],
                                                                next_prompt_at=row["first"])
    pending.update(counted=False)

    for pk, excerpt in Post.objects.filter(excerpt__contains="&").values_list("pk", "excerpt").iterator():
        Post.objects.filter(pk=pk).update(excerpt=html.unescape(excerpt))
    for pk, note in CommunityResource.objects.filter(note__contains="&").values_list("pk", "note").iterator():
        if _was_escaped(note):
            CommunityResource.objects.filter(pk=pk).update(note=html.unescape(note))
    summaries = GuidedDiscussion.objects.filter(summary_resource__isnull=False).values("summary_resource_id")
    for pk, summary in Resource.objects.filter(pk__in=summaries, summary__contains="&").values_list("pk", "summary"):
        if _was_escaped(summary):
            Resource.objects.filter(pk=pk).update(summary=html.unescape(summary))


class Migration(migrations.Migration):

    dependencies = [
        ("community", "0002_prompts_counted_reply_evidence"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
