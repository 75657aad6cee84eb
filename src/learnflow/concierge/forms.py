from __future__ import annotations

from django import forms

from learnflow.concierge.models import Mode, Urgency
from learnflow.core.services import split_names


class HelpRequestForm(forms.Form):
    title = forms.CharField(max_length=200, label="What do you need help with?",
                            help_text="One line, e.g. “Rolling back a failed Kubernetes deployment”.")
    description = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}),
                                  label="Describe the problem", help_text="Markdown works.")
    tried = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}),
                            label="What have you tried?")
    topics = forms.ModelMultipleChoiceField(queryset=None, required=False, label="Topics",
                                            widget=forms.SelectMultiple(attrs={"size": 4}))
    skills = forms.CharField(required=False, max_length=1_000, label="Skills it needs",
                             help_text="Separate with commas, e.g. “kubectl, Helm”.")
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL, label="How urgent is it?")
    mode = forms.ChoiceField(choices=Mode.choices, initial=Mode.WRITTEN, label="You would prefer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from learnflow.curation.models import Topic

        self.fields["topics"].queryset = Topic.objects.order_by("name")

    def clean_skills(self):
        return split_names(self.cleaned_data["skills"])


class MessageForm(forms.Form):
    body = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}), label="Your reply",
                           help_text="Markdown works. Only the people in this request see it.")


class PassOnForm(forms.Form):
    to = forms.CharField(max_length=150, label="Pass it on to (username)")
    note = forms.CharField(required=False, max_length=500, label="A note for them")


class RespondForm(forms.Form):
    note = forms.CharField(required=False, max_length=500, label="A note for the asker (optional)")


class DirectorySearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Who knows about…")


class ProfileForm(forms.Form):
    opt_out = forms.BooleanField(required=False, label="Do not suggest me as someone who can help")
