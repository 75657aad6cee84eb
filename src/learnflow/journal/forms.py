from __future__ import annotations

from django import forms

from learnflow.core.visibility import Visibility
from learnflow.journal.models import Way
from learnflow.journal.services import LinkIn


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class QuickCaptureForm(forms.Form):
    title = forms.CharField(max_length=200, label="What did you learn?",
                            widget=forms.TextInput(attrs={"placeholder": "What did you learn today?",
                                                          "autocomplete": "off"}))
    way = forms.ChoiceField(choices=Way.choices, initial=Way.DAILY_WORK, label="How")


class EntryForm(forms.Form):
    title = forms.CharField(max_length=200, label="What I learned")
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), label="Details (Markdown)",
                           max_length=50_000)
    way = forms.ChoiceField(choices=Way.choices, initial=Way.DAILY_WORK, label="How I learned it")
    learned_on = forms.DateField(label="When", widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(required=False, min_value=0, max_value=10080, label="Minutes spent")
    tags = forms.CharField(required=False, label="Tags", help_text="Separate with commas.")
    skills = forms.CharField(required=False, label="Skills", help_text="Separate with commas.")
    links = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Links",
                            help_text="One per line: the address, then optionally a title.")
    files = MultipleFileField(required=False, label="Evidence files")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE, label="Who can see it")
    share_note = forms.CharField(required=False, max_length=500, label="Why it is worth sharing")
    reflection_happened = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                          label="What happened?")
    reflection_learned = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                         label="What did I learn from it?")
    reflection_apply = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                       label="How will I apply it?")
    reflection_differently = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                             label="What will I do differently?")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Linking a new entry to one of the author's goals as evidence, right from the capture form.
            from learnflow.goals.forms import EntryGoalField, entry_goal_field_setup

            self.fields["goal"] = EntryGoalField()
            entry_goal_field_setup(self, user)

    def clean_links(self) -> list[LinkIn]:
        links = []
        for line in (self.cleaned_data.get("links") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            url, _, title = line.partition(" ")
            links.append(LinkIn(url=url, title=title.strip()))
        return links

    def reflection(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(f"reflection_{k}", "") for k in ("happened", "learned", "apply",
                                                                        "differently")}


class ShareForm(forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices)
    share_note = forms.CharField(required=False, max_length=500)


class TimelineFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search my journal")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    way = forms.ChoiceField(required=False, choices=[("", "Any way")] + list(Way.choices), label="Way")
    tag = forms.CharField(required=False, label="Tag")
    skill = forms.CharField(required=False, label="Skill")
    visibility = forms.ChoiceField(required=False, choices=[("", "Any")] + list(Visibility.choices),
                                   label="Visibility")


class WeeklyReviewForm(forms.Form):
    went_well = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="What went well?")
    key_learning = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   label="What was the most useful thing I learned?")
    next_week = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                label="What do I want to learn or try next week?")
