"""Forms for surveys: a teacher's response (built from the course's questions) and the
program admins' question form."""

from django import forms
from django.forms.models import fields_for_model, model_to_dict

from workshops.models import Course

from .models import LIKERT_LABELS, QuestionKind, SurveyQuestion
from .services import TEXT_MAX_LENGTH, answer_field

LIKERT_CHOICES = [(str(value), f"{value} {label}") for value, label in LIKERT_LABELS.items()]


class SurveyResponseForm(forms.Form):
    """One field per question, named `q<question id>`: Likert items as a group of radio
    buttons (a fieldset with the question as its legend), free text as a text area."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = answer_field(question.pk)
            if question.kind == QuestionKind.LIKERT:
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    choices=LIKERT_CHOICES,
                    widget=forms.RadioSelect,
                    required=question.required,
                    error_messages={"required": "Please answer this question."},
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    max_length=TEXT_MAX_LENGTH,
                    required=question.required,
                    help_text=f"Optional. Up to {TEXT_MAX_LENGTH} characters."
                    if not question.required
                    else f"Up to {TEXT_MAX_LENGTH} characters.",
                    error_messages={"required": "Please answer this question."},
                )

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(answer_field(q.pk)) for q in self.questions}


class SurveyQuestionForm(forms.Form):
    """A question for one course's workshops, or (no course) every course's.

    A plain form over the model's fields: the service checks the key's uniqueness (with a
    message next to the key, where a model form would show the constraint's name).
    """

    FIELDS = ["course", "key", "text", "kind", "required", "order", "is_active"]

    def __init__(self, *args, question: SurveyQuestion | None = None, **kwargs):
        if question is not None:
            kwargs.setdefault("initial", model_to_dict(question, fields=self.FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(SurveyQuestion, fields=self.FIELDS))
        self.fields["course"] = forms.ModelChoiceField(
            queryset=Course.objects.order_by("order", "name"),
            required=False,
            empty_label="All courses",
            help_text="Leave on “All courses” to ask it after every workshop.",
        )
        self.fields["kind"].label = "Kind of answer"
        self.fields["is_active"].label = "Active (asked in new surveys)"
        self.fields["key"].widget.attrs["autocomplete"] = "off"
        self.order_fields(self.FIELDS)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}
