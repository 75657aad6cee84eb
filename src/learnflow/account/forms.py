from __future__ import annotations

from django import forms

from learnflow.account.models import NotificationPreference


class NotificationForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["weekly_goal_nudge", "nudge_by_email"]


class DeleteForm(forms.Form):
    confirm_username = forms.CharField(label="Type your username", max_length=150,
                                       widget=forms.TextInput(attrs={"autocomplete": "off"}))
    password = forms.CharField(label="Your password",
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["confirm_username"].help_text = f"Your username is “{user.username}”."

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class ImportForm(forms.Form):
    file = forms.FileField(label="Archive (.zip)",
                           help_text="The file “Download all my data” gave you, here or on another Learnflow.",
                           widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}))
