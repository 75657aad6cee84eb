from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from learnflow.portfolio.kinds import KINDS
from learnflow.portfolio.models import ItemKind, Portfolio


class PortfolioForm(forms.ModelForm):
    class Meta:
        model = Portfolio
        fields = ["title", "intro"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 6})}


class AddItemForm(forms.Form):
    target = forms.ChoiceField(label="What to add")
    note = forms.CharField(label="Why it is here (optional)", required=False, max_length=5_000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, candidates: dict[str, list[tuple[int, str]]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        groups = [(ItemKind(kind).label, [(f"{kind}:{pk}", label) for pk, label in options])
                  for kind, options in candidates.items() if kind in KINDS and options]
        self.fields["target"].choices = [("", "Choose…"), *groups]

    def cleaned_target(self) -> tuple[str, int]:
        kind, _, pk = self.cleaned_data["target"].partition(":")
        return kind, int(pk)


class ShareForm(forms.Form):
    people = forms.ModelMultipleChoiceField(queryset=None, required=False, label="Named people",
                                            widget=forms.SelectMultiple(attrs={"size": 8}),
                                            help_text="Hold Ctrl or ⌘ to pick several.")
    organisation = forms.BooleanField(required=False, label="Everyone in the organisation")

    def __init__(self, *args, people_qs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people_qs
        self.fields["people"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"


class LinkForm(forms.Form):
    expires_on = forms.DateField(label="Expires on", widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="Required: every link stops working on a date you choose (at most a year).")
    label = forms.CharField(label="Who it is for (optional)", required=False, max_length=120)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + dt.timedelta(days=30))
