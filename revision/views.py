"""The learner's Today page and flashcards. Every card is looked up through ``for_learner``:
another learner's card is a 404, so its existence is not revealed."""

from __future__ import annotations

import json
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import is_tutor
from assessments.models import Attempt
from assessments.services import QuizError, create_attempt_with_questions
from assignments.selectors import assignments_for_learner
from cohorts.exports import csv_lines
from revision import exports, selectors, services
from revision.models import Card, ReviewLog, StudiedTopic
from topics.models import Topic

TOPICS_PER_PAGE = 50
# A rating more than this long after the card was shown is not timed (the learner walked away).
MAX_TIMED_MS = 10 * 60 * 1000


@login_required
def after_login(request):
    """Where signing in lands: learners on Today, tutors on their dashboard, admins and staff on
    quiz home (as before the Today page)."""
    user = request.user
    if user.is_superuser:
        return redirect("assessments:home")
    # Before the staff check: tutors are staff too (for the question bank in the admin).
    if is_tutor(user):
        return redirect("cohorts:dashboard")
    if user.is_staff:
        return redirect("assessments:home")
    return redirect("revision:today")


@login_required
def today(request):
    summary = selectors.today_summary(request.user)
    return render(
        request,
        "revision/today.html",
        {"summary": summary, "assignments": assignments_for_learner(request.user)},
    )


@login_required
@require_POST
def due_questions(request):
    """Answer the due marking-point cards as a marked quiz: the marks review the cards."""
    questions = selectors.due_point_questions(request.user)
    try:
        attempt = create_attempt_with_questions(
            learner=request.user,
            kind=Attempt.Kind.MIXED,
            title="Revision: questions due today",
            questions=questions,
        )
    except QuizError:
        messages.info(request, "No exam questions are due right now.")
        return redirect("revision:today")
    return redirect("assessments:question", pk=attempt.pk, number=1)


@login_required
def session(request):
    """The next due flashcard, one per page (flip with <details>, rate with a form)."""
    now = timezone.now()
    card = selectors.next_card(request.user, now)
    face = selectors.card_face(card) if card else None
    if card is not None and face is None:
        # Its content vanished since the last sync: retire it now and show the next one.
        services.sync_topic_cards(topic=card.topic)
        card = selectors.next_card(request.user, now)
        face = selectors.card_face(card) if card else None
    return render(
        request,
        "revision/session.html",
        {
            "card": card,
            "face": face,
            "shown_at": int(time.time() * 1000),
            "ratings": ReviewLog.Rating.choices,
        },
    )


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_POST
def rate(request, pk: int):
    card = get_object_or_404(Card.objects.for_learner(request.user), pk=pk)
    rating = _int(request.POST.get("rating"))
    token = _int(request.POST.get("token"))
    if rating is None or token is None:
        messages.error(request, "Choose Again, Hard, Good or Easy to rate the card.")
        return redirect("revision:session")
    shown = _int(request.POST.get("shown"))
    duration = None
    if shown is not None:
        elapsed = int(time.time() * 1000) - shown
        duration = elapsed if 0 <= elapsed <= MAX_TIMED_MS else None
    try:
        reviewed = services.rate_card(
            card=card, learner=request.user, rating=rating, token=token, duration_ms=duration
        )
    except services.RevisionError as error:
        messages.error(request, str(error))
        return redirect("revision:session")
    if not reviewed:
        messages.info(request, "That card was already rated; here is the next one.")
    return redirect("revision:session")


@login_required
def topics(request):
    """Choose topics to revise with flashcards (50 a page)."""
    page = Paginator(
        Topic.objects.select_related("qualification").order_by("qualification__name", "title"),
        TOPICS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    studied = set(
        StudiedTopic.objects.filter(
            learner=request.user, topic_id__in=[t.pk for t in page.object_list]
        ).values_list("topic_id", flat=True)
    )
    return render(
        request, "revision/topics.html", {"page": page, "topics": page, "studied": studied}
    )


@login_required
@require_POST
def study(request, slug: str):
    topic = get_object_or_404(Topic, slug=slug)
    if services.study_topics(learner=request.user, topics=[topic]):
        messages.success(
            request, f"{topic.title} is now in your revision: its cards appear on your Today page."
        )
    else:
        messages.info(request, f"You already revise {topic.title}.")
    return redirect("revision:topics")


@login_required
def export(request, fmt: str):
    """The learner's own schedule: every card, its FSRS state and its reviews."""
    if fmt not in {"csv", "json"}:
        raise Http404("No such export.")
    filename = f"revision-schedule-{request.user.username}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(exports.schedule_csv_rows(request.user)), content_type="text/csv"
        )
    else:
        response = HttpResponse(
            json.dumps(exports.schedule_json(request.user), indent=2, ensure_ascii=False),
            content_type="application/json",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
