"""The error summary of a refused form (the GOV.UK pattern): at the top of the page, a heading and
one link per problem to the field concerned; crm/static/crm/js/forms.js moves focus to it.

base.html asks `{% form_problems as problems %}` once: the tag finds the bound forms, formsets and
filter forms of the page's context itself, so every form page has the summary without a line of
its own. Only a POST is summarised: a list's filter form (GET) keeps its errors beside its fields.
"""

from dataclasses import dataclass

from django import forms, template
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

register = template.Library()


@dataclass(frozen=True)
class Problem:
    target: str  # the id of the element the link moves focus to
    text: str


def _forms_in(context) -> list[forms.BaseForm | forms.BaseFormSet]:
    found, seen = [], set()
    for value in context.flatten().values():
        if not isinstance(value, (forms.BaseForm, forms.BaseFormSet)):
            value = getattr(value, "form", None)  # a django-filter FilterSet
        if isinstance(value, (forms.BaseForm, forms.BaseFormSet)) and value.is_bound and id(value) not in seen:
            seen.add(id(value))
            found.append(value)
    return found


def _first_field_id(form) -> str:
    visible = form.visible_fields()
    return _target(visible[0]) if visible else "main"  # base.html's <main id="main">


def _target(bound) -> str:
    """The field's own id; for a list of checkboxes or radio buttons, the first one's."""
    return bound.id_for_label or f"{bound.auto_id}_0"


def _form_problems(form, row: int | None) -> list[Problem]:
    problems = []
    errors_of = form.errors
    # The form's own problems first, then its fields' in the order they are shown.
    names = [n for n in [forms.forms.NON_FIELD_ERRORS, *form.fields] if n in errors_of]
    for name in names:
        errors = errors_of[name]
        bound = None if name == forms.forms.NON_FIELD_ERRORS else form[name]
        for error in errors:
            message = strip_tags(str(error))  # a message may hold a link: no link inside a link
            if bound is None or bound.is_hidden:
                problems.append(Problem(_first_field_id(form), message))
                continue
            label = str(bound.label)
            if row is not None:
                label = _("%(label)s (row %(row)s)") % {"label": label, "row": row}
            problems.append(Problem(_target(bound), f"{label}: {message}"))
    return problems


def problems_of(item) -> list[Problem]:
    if isinstance(item, forms.BaseFormSet):
        first = _first_field_id(item.forms[0]) if item.forms else "main"
        problems = [Problem(first, strip_tags(str(e))) for e in item.non_form_errors()]
        for row, form in enumerate(item.forms, start=1):
            problems.extend(_form_problems(form, row))
        return problems
    return _form_problems(item, None)


@register.simple_tag(takes_context=True)
def form_problems(context) -> list[Problem]:
    request = getattr(context, "request", None)
    if request is None or request.method != "POST":
        return []
    return [problem for item in _forms_in(context) for problem in problems_of(item)]
