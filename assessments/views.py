"""Quiz pages for learners. Every attempt is looked up through ``for_learner``: another
learner's attempt is a 404, never a 403, so its existence is not revealed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from assessments import services
from assessments.charts import legend, mastery_chart_svg
from assessments.forms import answer_form_for
from assessments.generation import relevant_exam_tip
from assessments.models import Attempt, Question
from assessments.selectors import (
    attempt_with_responses,
    attempts_for_results,
    learner_topic_progress,
    mastery_history,
    quiz_topics,
    topic_progress_row,
    unfinished_attempts,
    weak_points,
)
from topics.models import Topic

HISTORY_PER_PAGE = 20
# Topics per page on quiz home and in the progress page's mastery table: a college's whole
# catalogue can run to hundreds of topics, and each row costs rendering time.
TOPICS_PER_PAGE = 50
WEAK_POINTS_SHOWN = 10


def _own_attempt(request, pk: int, *, results_page: bool = False) -> Attempt:
    try:
        return attempt_with_responses(
            Attempt.objects.for_learner(request.user),
            pk,
            with_exam_tips=results_page,
            with_options=not results_page,
        )
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None


@login_required
def quiz_home(request):
    """Topics to quiz on, a page at a time, grouped by qualification, each with the learner's
    own figures for it (from their summaries)."""
    page = Paginator(quiz_topics(request.user), TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    for topic in page.object_list:
        topic.progress = topic_progress_row(topic)
    return render(
        request,
        "assessments/quiz_home.html",
        {"topics": page, "page": page, "unfinished": unfinished_attempts(request.user)},
    )


@login_required
@require_POST
def start_quiz(request):
    kind = request.POST.get("kind", "")
    topic = None
    if kind == Attempt.Kind.TOPIC:
        topic = get_object_or_404(Topic.objects.published(), slug=request.POST.get("topic", ""))
    try:
        attempt = services.start_attempt(learner=request.user, kind=kind, topic=topic)
    except services.QuizError as error:
        messages.error(request, str(error))
        return redirect("assessments:home")
    if request.POST.get("layout") == "all":
        return redirect("assessments:all", pk=attempt.pk)
    return redirect("assessments:question", pk=attempt.pk, number=1)


@login_required
def question(request, pk: int, number: int):
    """One question per page, with a progress indicator and previous/next."""
    attempt = _own_attempt(request, pk)
    if attempt.is_submitted:
        return redirect("assessments:results", pk=attempt.pk)
    responses = list(attempt.responses.all())
    if not 1 <= number <= len(responses):
        raise Http404("No such question in this attempt.")
    response = responses[number - 1]
    form = answer_form_for(response, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_answers(attempt=attempt, answers={number: form.value})
        except services.QuizError as error:
            messages.error(request, str(error))
            return redirect("assessments:results", pk=attempt.pk)
        action = request.POST.get("action", "next")
        if action == "previous" and number > 1:
            return redirect("assessments:question", pk=pk, number=number - 1)
        if action == "next" and number < len(responses):
            return redirect("assessments:question", pk=pk, number=number + 1)
        return redirect("assessments:review", pk=pk)
    return render(
        request,
        "assessments/question.html",
        {
            "attempt": attempt,
            "response": response,
            "form": form,
            "number": number,
            "total": len(responses),
            "percent": round(100 * (number - 1) / len(responses)),
        },
    )


@login_required
def all_questions(request, pk: int):
    """Every question on one page; "Submit" saves and submits in one transaction."""
    attempt = _own_attempt(request, pk)
    if attempt.is_submitted:
        return redirect("assessments:results", pk=attempt.pk)
    data = request.POST if request.method == "POST" else None
    forms = [
        (
            response,
            answer_form_for(
                response,
                data,
                prefix=f"q{response.position}",
                label=f"Answer to question {response.position}",
            ),
        )
        for response in attempt.responses.all()
    ]
    if request.method == "POST" and all(form.is_valid() for _, form in forms):
        answers = {response.position: form.value for response, form in forms}
        if request.POST.get("action") == "submit":
            services.submit_attempt(attempt=attempt, answers=answers)
            return redirect("assessments:results", pk=pk)
        try:
            services.save_answers(attempt=attempt, answers=answers)
        except services.QuizError as error:
            messages.error(request, str(error))
            return redirect("assessments:results", pk=pk)
        messages.success(request, "Your answers are saved. Submit when you are ready.")
        return redirect("assessments:all", pk=pk)
    return render(request, "assessments/all_questions.html", {"attempt": attempt, "forms": forms})


@login_required
def review(request, pk: int):
    attempt = _own_attempt(request, pk)
    if attempt.is_submitted:
        return redirect("assessments:results", pk=attempt.pk)
    responses = list(attempt.responses.all())
    unanswered = sum(1 for r in responses if not r.is_answered)
    return render(
        request,
        "assessments/review.html",
        {"attempt": attempt, "responses": responses, "unanswered": unanswered},
    )


@login_required
@require_POST
def submit(request, pk: int):
    attempt = get_object_or_404(Attempt.objects.for_learner(request.user), pk=pk)
    _, submitted_now = services.submit_attempt(attempt=attempt)
    if not submitted_now:
        messages.info(request, "This quiz was already submitted; here are its results.")
    return redirect("assessments:results", pk=pk)


@login_required
def results(request, pk: int):
    attempt = _own_attempt(request, pk, results_page=True)
    if not attempt.is_submitted:
        return redirect("assessments:review", pk=attempt.pk)
    if not attempt.is_marked:
        # Submitted, and the worker has not marked it yet: nothing half-marked is shown. The
        # page refreshes itself (meta refresh; a script polls the status URL when it can).
        return render(request, "assessments/marking_wait.html", {"attempt": attempt})
    responses = list(attempt.responses.all())
    for response in responses:
        question = response.question
        tips = [tip.text for tip in question.topic.exam_tips.all()]
        basis = question.marking_point.text if question.marking_point_id else question.prompt
        response.exam_tip = relevant_exam_tip(basis, tips)
    credited = sum(1 for r in responses if r.credited)
    return render(
        request,
        "assessments/results.html",
        {
            "attempt": attempt,
            "responses": responses,
            "credited": credited,
            "total": len(responses),
            "awaiting_tutor": sum(
                1 for r in responses if r.needs_tutor and r.override_awarded is None
            ),
        },
    )


@login_required
def attempt_status(request, pk: int):
    """Whether one of the learner's own attempts is submitted and marked, as JSON, for the
    results page's script to poll while marking runs. Another learner's attempt is a 404."""
    attempt = get_object_or_404(
        Attempt.objects.for_learner(request.user).only("pk", "submitted_at", "marked_at"), pk=pk
    )
    reply = JsonResponse(
        {
            "submitted": attempt.is_submitted,
            "marked": attempt.is_marked,
            "results_url": reverse("assessments:results", kwargs={"pk": attempt.pk}),
        }
    )
    reply["Cache-Control"] = "no-store"
    return reply


@login_required
@require_POST
def retry(request, pk: int):
    attempt = get_object_or_404(Attempt.objects.for_learner(request.user), pk=pk)
    try:
        new_attempt = services.retry_attempt(attempt=attempt)
    except services.QuizError as error:
        messages.error(request, str(error))
        return redirect("assessments:results", pk=attempt.pk)
    return redirect("assessments:question", pk=new_attempt.pk, number=1)


@login_required
def progress(request):
    """The learner's mastery by topic (a page of topics, practised ones first), mastery over
    time, weakest points and attempt history; figures come from their summaries."""
    topic_page = Paginator(learner_topic_progress(request.user), TOPICS_PER_PAGE).get_page(
        request.GET.get("topics")
    )
    history = Paginator(attempts_for_results(request.user), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    series = mastery_history(request.user)
    return render(
        request,
        "assessments/progress.html",
        {
            "series": series,
            # Built from escaped labels and numbers only (see assessments.charts).
            "chart_svg": mark_safe(mastery_chart_svg(series, title="Mastery over time"))  # noqa: S308
            if series
            else "",
            "legend": [
                {**item, "swatch": mark_safe(item["swatch"])}  # noqa: S308 - numbers only
                for item in legend(series)
            ],
            "topic_progress": [topic_progress_row(topic) for topic in topic_page],
            "topic_page": topic_page,
            # Each list's links keep the other list's page.
            "topic_page_query": urlencode({"page": history.number}),
            "history_query": urlencode({"topics": topic_page.number}),
            "weak_points": weak_points(request.user, limit=WEAK_POINTS_SHOWN),
            "history": history,
            "weak_points_kind": Attempt.Kind.WEAK_POINTS,
            "start_url": reverse("assessments:start"),
            "short_answer": Question.Kind.SHORT_ANSWER,
        },
    )
