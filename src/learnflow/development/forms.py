from __future__ import annotations

from django import forms

from learnflow.development.models import ActionOwner, Direction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CheckInForm(forms.Form):
    held_on = forms.DateField(label="Date of the check-in", widget=DATE)
    notes = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 8}),
                            label="Notes", help_text="Markdown. Private to you unless you share this check-in.")
    shared_with_report = forms.BooleanField(required=False, label="Share these notes and actions with the person")


class ActionForm(forms.Form):
    text = forms.CharField(max_length=300, label="Agreed action")
    owner = forms.ChoiceField(choices=ActionOwner.choices, initial=ActionOwner.REPORT, label="Who does it")
    due_on = forms.DateField(required=False, label="Due", widget=DATE,
                             help_text="On or after the check-in date.")


class _ActionRowForm(ActionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank row in the check-in form is simply not used.
        self.fields["text"].required = False

    def clean(self):
        data = super().clean()
        if data.get("due_on") and not (data.get("text") or "").strip():
            self.add_error("text", "Say what was agreed, or clear the due date.")
        return data


ActionFormSet = forms.formset_factory(_ActionRowForm, extra=3, max_num=30, validate_max=True)


class ShareForm(forms.Form):
    shared = forms.BooleanField(required=False)


class StretchForm(forms.Form):
    title = forms.CharField(max_length=200, label="What")
    description = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 4}),
                                  label="Details", help_text="What the person would do, with whom, and why now.")
    goal = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Goal it serves",
                                  help_text="Only goals the person shared with you are listed.")
    skill = forms.CharField(required=False, max_length=100, label="Or a skill it develops")
    starts_on = forms.DateField(label="Starts", widget=DATE)
    ends_on = forms.DateField(label="Ends", widget=DATE)

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", "—")] + [(g.pk, g.title) for g in goals]


class RespondForm(forms.Form):
    note = forms.CharField(required=False, max_length=2_000, widget=forms.Textarea(attrs={"rows": 3}),
                           label="Note to your manager", help_text="Required when you decline.")


class ReflectionForm(forms.Form):
    text = forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}), label="Your reflection",
                           help_text="What went well, what you learned, what you would do differently.")
    share_now = forms.BooleanField(required=False, label="Show mine now, without waiting for the other reflection")


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=200, label="Objective")
    description = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}),
                                  label="Description")
    starts_on = forms.DateField(label="Period starts", widget=DATE)
    ends_on = forms.DateField(label="Period ends", widget=DATE)


class IndicatorForm(forms.Form):
    name = forms.CharField(max_length=120, label="Indicator")
    unit = forms.CharField(required=False, max_length=40, label="Unit", help_text="e.g. %, days, tickets")
    target = forms.DecimalField(max_digits=14, decimal_places=2, label="Target")
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.UP, label="Direction")


class IndicatorValueForm(forms.Form):
    measured_on = forms.DateField(label="Date", widget=DATE,
                                  help_text="A second value for the same date replaces the first.")
    value = forms.DecimalField(max_digits=14, decimal_places=2, label="Value")
