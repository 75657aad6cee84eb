from __future__ import annotations

from django import forms

from learnflow.curation.models import Topic


class TopicForm(forms.Form):
    name = forms.CharField(max_length=120)
    parent = forms.ModelChoiceField(queryset=Topic.objects.all(), required=False, label="Inside topic",
                                    empty_label="(top level)")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SubscribeForm(forms.Form):
    url = forms.CharField(label="Feed address", max_length=2000,
                          widget=forms.URLInput(attrs={"placeholder": "https://example.org/feed.xml"}),
                          help_text="RSS, Atom or JSON Feed. It is fetched in the background within a few minutes.")
    title = forms.CharField(max_length=500, required=False, help_text="Leave empty to use the feed's own title.")


class OpmlImportForm(forms.Form):
    file = forms.FileField(label="OPML file", help_text="Feeds already subscribed are left as they are.")


class PublishForm(forms.Form):
    note = forms.CharField(label="Why it matters", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
