from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from learnflow.community.models import Access, PostKind

POST_KINDS = [(k.value, k.label) for k in PostKind if k != PostKind.PROMPT]


class CommunityForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(label="What this community is about", required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000,
                                  help_text="Markdown. Who it is for, what you share, how often you meet.")
    access = forms.ChoiceField(label="Who can join", choices=Access.choices, initial=Access.OPEN,
                               widget=forms.RadioSelect)


class JoinForm(forms.Form):
    message = forms.CharField(label="Why you would like to join (optional)", required=False, max_length=1_000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class PostForm(forms.Form):
    kind = forms.ChoiceField(label="What are you posting?", choices=POST_KINDS, initial=PostKind.WORKING_ON)
    title = forms.CharField(label="In a line", max_length=200, required=False,
                            help_text="Required for a question. Use @username to mention someone.")
    body = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=20_000, help_text="Markdown. For a share: why it is worth it.")
    entry = forms.TypedChoiceField(label="Journal entry to share", required=False, coerce=int, empty_value=None)
    resource = forms.TypedChoiceField(label="Library resource to share", required=False, coerce=int,
                                      empty_value=None)
    confirm_share = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, entries=(), resources=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "—")] + [(e.pk, f"{e.title} ({e.get_visibility_display().lower()})")
                                                      for e in entries]
        self.fields["resource"].choices = [("", "—")] + [(r.pk, r.title) for r in resources]


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000,
                           help_text="Markdown. Use @username to mention someone.")
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ResourceLinkForm(forms.Form):
    resource = forms.TypedChoiceField(label="Resource", coerce=int)
    note = forms.CharField(label="Why it is worth it", required=False, max_length=500)

    def __init__(self, *args, resources=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [(r.pk, r.title) for r in resources]


class DiscussionForm(forms.Form):
    title = forms.CharField(max_length=200)
    intro = forms.CharField(label="Introduction", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="Markdown: what the series is for.")
    prompts = forms.CharField(label="Prompts, one per line", widget=forms.Textarea(attrs={"rows": 6}),
                              help_text="Each line becomes a prompt; they open one by one.")
    starts_at = forms.DateTimeField(label="First prompt opens",
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    help_text="In UTC.")
    every_days = forms.IntegerField(label="Days between prompts", min_value=0, max_value=90, initial=7)

    def clean_starts_at(self) -> dt.datetime:
        value = self.cleaned_data["starts_at"]
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, dt.timezone.utc)
        return value


class SummaryForm(forms.Form):
    title = forms.CharField(max_length=300)
    body = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 16}),
                           help_text="Markdown. It is published in the library, for everyone in the organisation.")


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=[("member", "Member"), ("facilitator", "Facilitator")], initial="member")
