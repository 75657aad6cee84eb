from __future__ import annotations

from django import forms

from learnflow.notifications.models import DEFAULT_CHANNEL, Channel, Kind


class SettingsForm(forms.Form):
    """One choice for all kinds, and one per kind ("" = follow the general choice)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default"] = forms.ChoiceField(
            label="Email me about everything", required=False,
            choices=[("", "As recommended for each kind")] + list(Channel.choices))
        for kind in Kind:
            recommended = Channel(DEFAULT_CHANNEL[kind.value]).label.lower()
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label, required=False,
                choices=[("", "Same as above")] + list(Channel.choices),
                help_text=f"Recommended: {recommended}.")

    def choices(self) -> dict[str, str]:
        d = self.cleaned_data
        out = {"": d.get("default") or ""}
        out.update({k.value: d.get(f"kind_{k.value}") or "" for k in Kind})
        return out
