from __future__ import annotations

from django import forms

from learnflow.core.services import split_names
from learnflow.core.visibility import Visibility
from learnflow.goals.models import GoalStatus
from learnflow.goals.services import SkillPick

SKILLS_HELP = ("Separate with commas. Add the level shown or aimed for after a colon, e.g. “Python: 3, SQL”; "
               "levels come from the skills framework.")


def parse_skill_picks(text: str) -> list[SkillPick]:
    """'Python: 3, SQL' → [SkillPick('Python', 3), SkillPick('SQL')]. A bad level is a form error, not a guess."""
    picks = []
    for chunk in split_names(text):
        name, sep, level = chunk.rpartition(":")
        if sep and name.strip():
            level = level.strip()
            if not level.isdigit():
                raise forms.ValidationError(f"“{chunk}”: the level after the colon must be a number, e.g. 3.")
            picks.append(SkillPick(name=name.strip(), level=int(level)))
        else:
            picks.append(SkillPick(name=chunk.strip()))
    return picks


def skill_picks_text(rows) -> str:
    return ", ".join(f"{r.skill.name}: {r.level}" if r.level else r.skill.name for r in rows)


class SkillsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", SKILLS_HELP)
        kwargs.setdefault("max_length", 2_000)
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_skill_picks(super().clean(value))


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200, label="What I want to achieve")
    why = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}),
                          label="Why it matters for my work")
    success = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}),
                              label="How success will show in my job performance")
    target_date = forms.DateField(label="Target date", widget=forms.DateInput(attrs={"type": "date"}))
    skills = SkillsField(label="Skills")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE, label="Who can see it")
    team_objective = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                            label="Aligned to a team objective",
                                            help_text="Optional: the objective your manager set that this goal serves.")

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        from learnflow.development.selectors import objectives_to_align

        objectives = list(objectives_to_align(viewer=owner).values_list("pk", "title")) if owner else []
        self.fields["team_objective"].choices = [("", "None")] + objectives
        if not objectives:
            self.fields["team_objective"].widget = forms.HiddenInput()


class GoalEditForm(GoalForm):
    status = forms.ChoiceField(choices=GoalStatus.choices, label="Status")


class ShareForm(forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices, label="Visible to")


class StepForm(forms.Form):
    title = forms.CharField(max_length=200, label="Next step")
    due_date = forms.DateField(required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_step_%s")
        super().__init__(*args, **kwargs)


class EvidenceForm(forms.Form):
    """One form for every kind: the kind chosen says which of entry / statement / url / file is read."""

    kind = forms.ChoiceField(choices=[("entry", "A journal entry"), ("activity", "Recorded activity"),
                                      ("link", "A link"), ("file", "A file"),
                                      ("resource", "A library resource")], label="Kind of evidence")
    # Plain ids with a picker: the services decide what may be linked, and say why not.
    entry = forms.IntegerField(required=False, label="Journal entry", widget=forms.Select)
    statement = forms.CharField(required=False, label="Recorded activity")
    url = forms.CharField(required=False, max_length=2000, label="Link",
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))
    title = forms.CharField(required=False, max_length=200, label="Title")
    file = forms.FileField(required=False, label="File")
    resource = forms.CharField(required=False, max_length=2000, label="Library resource",
                               help_text="Paste the address of its page in the library.")
    step = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="For step")
    note = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 2}),
                           label="What it shows")
    skills = SkillsField(label="Skills it shows")

    def __init__(self, *args, entries=(), activities=(), steps=(), **kwargs):
        # The goal page holds this form beside the step form: ids of their own keep every label on its field.
        kwargs.setdefault("auto_id", "id_evidence_%s")
        super().__init__(*args, **kwargs)
        self.fields["entry"].widget.choices = [("", "—")] + [(e.pk, f"{e.learned_on:%d %b %Y} · {e.title}")
                                                             for e in entries]
        self.fields["statement"].widget = forms.Select(choices=[("", "—")] + [
            (str(a.statement.id), f"{a.when:%d %b %Y} · {a.verb} {a.object_name}") for a in activities])
        self.fields["step"].choices = [("", "The goal as a whole")] + [(s.pk, s.title) for s in steps]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needed = {"entry": "entry", "activity": "statement", "link": "url", "file": "file",
                  "resource": "resource"}.get(kind)
        if needed and not data.get(needed):
            self.add_error(needed, "Choose or give the evidence itself.")
        return data


class EntryGoalField(forms.ModelChoiceField):
    """For the journal's capture form: link the new entry to one of the author's active goals."""

    def __init__(self, **kwargs):
        from learnflow.goals.models import Goal

        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Evidence for my goal")
        kwargs.setdefault("empty_label", "— no goal —")
        super().__init__(queryset=Goal.objects.none(), **kwargs)


def entry_goal_field_setup(form: forms.Form, user, name: str = "goal") -> None:
    """Limit the goal choices to the user's own active goals (call in the view after building the form)."""
    from learnflow.goals.selectors import goals_for_capture

    form.fields[name].queryset = goals_for_capture(viewer=user)


class EndorsementRequestForm(forms.Form):
    endorser = forms.IntegerField(required=False, label="Ask", widget=forms.Select)
    endorser_username = forms.CharField(required=False, max_length=150, label="…or someone else (username)")
    message = forms.CharField(required=False, max_length=2_000, widget=forms.Textarea(attrs={"rows": 2}),
                              label="Message")
    remind_after_days = forms.IntegerField(min_value=1, max_value=90, initial=7, label="Remind them after (days)")

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endorser"].widget.choices = [("", "Choose a colleague or your manager")] + [
            (p.pk, p.display_name) for p in people]

    def clean(self):
        data = super().clean()
        if not data.get("endorser") and not (data.get("endorser_username") or "").strip():
            self.add_error("endorser", "Choose a colleague or your manager, or give someone's username.")
        return data


class SkillEndorsementForm(EndorsementRequestForm):
    skill = forms.CharField(max_length=100, label="Skill")
    level = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Level")

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + list(levels)


class AnswerForm(forms.Form):
    comment = forms.CharField(required=False, max_length=2_000, widget=forms.Textarea(attrs={"rows": 3}),
                              label="Your comment")


class FrameworkImportForm(forms.Form):
    file = forms.FileField(label="Framework file (.csv or .json)")
    name = forms.CharField(required=False, max_length=120, label="Framework name",
                           help_text="Required for CSV; a JSON file may carry its own name.")
    description = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 2}),
                                  label="Description")
