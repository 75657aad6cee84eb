from __future__ import annotations

from django import forms

from learnflow.curation.models import Topic

TYPE_CHOICES = [("", "Everything"), ("entry", "Journal entries"), ("resource", "Library resources"),
                ("page", "Pages (how-tos, checklists)"), ("video", "Videos"), ("audio", "Audio"),
                ("document", "Documents"), ("link", "External links")]
SCOPE_CHOICES = [("all", "Everything I can see"), ("mine", "Only mine"), ("shared", "Shared with me and the library")]


class SearchForm(forms.Form):
    q = forms.CharField(label="Search your journal, what was shared with you and the library", required=False,
                        max_length=500, widget=forms.TextInput(attrs={"type": "search", "id": "search-q"}))
    scope = forms.ChoiceField(label="In", choices=SCOPE_CHOICES, required=False, widget=forms.RadioSelect)
    type = forms.ChoiceField(label="Type", choices=TYPE_CHOICES, required=False)
    topic = forms.ChoiceField(label="Topic", required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "Any topic")] + list(Topic.objects.values_list("slug", "name"))
