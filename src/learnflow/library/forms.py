from __future__ import annotations

from django import forms

from learnflow.curation.models import Topic
from learnflow.library.models import FlagKind, ResourceKind


class TopicsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


def _topics_field() -> TopicsField:
    return TopicsField(queryset=Topic.objects.select_related("parent").order_by("name"), required=False,
                       widget=forms.SelectMultiple(attrs={"size": 6}),
                       help_text="Hold Ctrl (⌘ on a Mac) to choose more than one.")


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label="What is it?", choices=ResourceKind.choices)
    title = forms.CharField(max_length=300, required=False)
    summary = forms.CharField(label="In one or two sentences", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(label="Page (Markdown)", required=False, widget=forms.Textarea(attrs={"rows": 14}),
                           help_text="Headings (#), lists (- or 1.), **bold**, links. Keep it short enough to use "
                                     "in the middle of work.")
    url = forms.CharField(label="Web address", required=False, max_length=2000,
                          help_text="For an external page, or a video or document kept elsewhere. Title, summary "
                                    "and site are read from the page when you leave them blank.")
    file = forms.FileField(label="File", required=False,
                           help_text="Video (.mp4, .webm), audio (.mp3, .m4a, .ogg, .wav) or a document.")
    topics = None  # set in __init__ (topics change while the process runs)
    curator_note = forms.CharField(label="Why it matters", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"] = _topics_field()
        self.order_fields(["kind", "url", "title", "summary", "body", "file", "topics", "curator_note"])


class ResourceEditForm(ResourceForm):
    site_name = forms.CharField(label="Site", required=False, max_length=200)
    image_url = forms.CharField(label="Picture address", required=False, max_length=2000,
                                help_text="A PNG, JPEG, GIF or WebP picture on the web; Learnflow keeps its own copy "
                                          "(fetched once). Leave empty to show no picture.")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve and publish"), ("return", "Return to the author")],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label="Note for the author", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    body = forms.CharField(label="Add a comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class FlagForm(forms.Form):
    kind = forms.ChoiceField(label="This resource", choices=[(FlagKind.NEEDS_UPDATE, "needs an update"),
                                                             (FlagKind.OBSOLETE, "is obsolete")])
    note = forms.CharField(label="What is wrong? (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CollectionForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(label="What this pathway is for (Markdown)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    topic = forms.ModelChoiceField(queryset=Topic.objects.order_by("name"), required=False)


class CollectionAddForm(forms.Form):
    resource = forms.UUIDField(label="Resource link or id", widget=forms.TextInput())
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def clean_resource(self):
        return self.cleaned_data["resource"]

    def __init__(self, *args, **kwargs) -> None:
        data = kwargs.get("data") if "data" in kwargs else (args[0] if args else None)
        if data is not None and data.get("resource"):
            # People paste the resource's link: take the id out of it.
            data = data.copy()
            value = data["resource"].strip().rstrip("/")
            data["resource"] = value.rsplit("/", 1)[-1]
            if "data" in kwargs:
                kwargs["data"] = data
            else:
                args = (data, *args[1:])
        super().__init__(*args, **kwargs)
