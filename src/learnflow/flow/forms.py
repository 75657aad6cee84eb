from __future__ import annotations

from django import forms

from learnflow.flow.models import Frequency


class DigestPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(label="How often", choices=Frequency.choices, widget=forms.RadioSelect)
    by_email = forms.BooleanField(label="Also send it by email", required=False)
