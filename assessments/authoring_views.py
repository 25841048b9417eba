"""The tutor's question pages (issue 15): the questions they wrote, per topic, with adding,
editing, retiring and "Try this question".

Who may do what is ``assessments.authoring``; anything outside a user's reach is a 404, and
learners and anonymous visitors never reach these pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from assessments import authoring
from assessments.authoring_forms import AUTHORED_KINDS, option_formset, option_specs
from assessments.forms import answer_form_for
from assessments.models import Question, Response
from assessments.rubrics import describe_rubric
from assessments.services import (
    QuizError,
    retire_question,
    save_written_question,
    try_question,
)
from revision_portal.access import only_for

QUESTIONS_PER_PAGE = 25
TOPICS_PER_PAGE = 50
# Hand-written questions come after the generated short answers (positioned by their marking
# points) and before the generated multiple-choice ones (1000 and up) in a topic's list.
AUTHORED_POSITION = 900


author_required = only_for(authoring.may_author)
trier_required = only_for(authoring.may_try)


@author_required
def home(request):
    """Every topic with how many questions the tutor has written in it."""
    page = Paginator(authoring.topics_with_written_counts(request.user), TOPICS_PER_PAGE)
    return render(
        request,
        "assessments/authoring/home.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


@author_required
def topic_questions(request, slug: str):
    """ "Questions you wrote" in one topic, with links to add, edit, try and retire."""
    topic = authoring.topic_for_authoring(slug)
    questions = authoring.questions_written_in(request.user, topic)
    return render(
        request,
        "assessments/authoring/topic_questions.html",
        {
            "topic": topic,
            "page": Paginator(questions, QUESTIONS_PER_PAGE).get_page(request.GET.get("page")),
            "kinds": [(kind, Question.Kind(kind).label) for kind in AUTHORED_KINDS],
        },
    )


@author_required
def add_question(request, slug: str, kind: str):
    topic = authoring.topic_for_authoring(slug)
    if kind not in AUTHORED_KINDS:
        raise Http404("No such kind of question.")
    question = Question(
        topic=topic,
        kind=kind,
        origin=Question.Origin.AUTHORED,
        author=request.user,
        position=AUTHORED_POSITION,
    )
    return _edit(request, question, added=True)


@author_required
def edit_question(request, pk: int):
    question = authoring.question_for_editing(request.user, pk)
    if question.kind not in AUTHORED_KINDS:
        # Imported questions of the generated kinds are edited in the admin.
        raise Http404("This kind of question is edited in the admin.")
    return _edit(request, question, added=False)


def _edit(request, question: Question, *, added: bool):
    """The add and edit pages: the question's form (and option rows for multiple choice),
    saved through ``save_question``, whose answer-key messages are shown on their fields."""
    form_class = AUTHORED_KINDS[question.kind]
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=question)
    formset = (
        option_formset(data, question=question)
        if question.kind == Question.Kind.MULTIPLE_CHOICE
        else None
    )
    option_errors: list[str] = []
    if data is not None and form.is_valid() and (formset is None or formset.is_valid()):
        options = option_specs(formset) if formset is not None else form.options(question)
        try:
            save_written_question(question=form.instance, options=options, author=request.user)
        except ValidationError as error:
            option_errors = _show_errors(form, error)
        else:
            messages.success(
                request,
                "Question added: learners get it in quizzes and assignments on this topic."
                if added
                else "Question saved.",
            )
            return redirect("authoring:topic", slug=question.topic.slug)
    return render(
        request,
        "assessments/authoring/form.html",
        {
            "topic": question.topic,
            "question": question,
            "added": added,
            "form": form,
            "formset": formset,
            "option_errors": option_errors,
            "kind_label": Question.Kind(question.kind).label,
        },
    )


def _show_errors(form, error: ValidationError) -> list[str]:
    """Put ``save_question``'s messages on the fields they name; the options' messages are
    returned to show above the option rows."""
    option_errors = []
    for field, messages_ in error.message_dict.items():
        if field == "options":
            option_errors.extend(messages_)
        else:
            form.add_error(field if field in form.fields else None, messages_)
    return option_errors


@author_required
def retire(request, pk: int):
    """Confirm, then retire (or bring back) a question: learners' answers to it are kept."""
    question = authoring.question_for_editing(request.user, pk)
    if request.method == "POST":
        retire_question(question=question, active=not question.is_active)
        messages.success(
            request,
            f"“{question.display_name}” {'is back in' if question.is_active else 'is retired from'}"
            " quizzes and assignments. Learners' earlier answers to it are kept.",
        )
        return redirect("authoring:topic", slug=question.topic.slug)
    return render(request, "assessments/authoring/confirm_retire.html", {"question": question})


@trier_required
def try_page(request, pk: int):
    """Type an answer (or pick options) and see how the marker would mark it, with its
    evidence. Nothing is saved."""
    question = authoring.question_for_trying(request.user, pk)
    data = request.POST if request.method == "POST" else None
    form = answer_form_for(Response(question=question), data, label="Your answer")
    trial = None
    if data is not None and form.is_valid():
        value = form.value
        try:
            trial = try_question(
                question=question,
                answer_text=value if question.is_short_answer else None,
                selected=None if question.is_short_answer else value,
            )
        except QuizError as error:
            form.add_error(None, str(error))
    can_edit = authoring.editable_questions(request.user).filter(pk=question.pk).exists()
    return render(
        request,
        "assessments/authoring/try.html",
        {
            "question": question,
            "form": form,
            "trial": trial,
            "options": question.choice_snapshot().rows(trial.result.get("selected", []))
            if trial and question.is_choice
            else [],
            "can_author": authoring.may_author(request.user),
            "rubric_lines": describe_rubric(question.to_rubric()).splitlines()
            if question.is_short_answer
            else [],
            "edit_url": reverse("authoring:edit", args=[question.pk]) if can_edit else "",
            "admin_url": reverse("admin:assessments_question_change", args=[question.pk])
            if request.user.is_staff
            else "",
        },
    )
