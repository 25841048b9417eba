"""Who may write, edit and try which questions on the site's tutor pages (issue 15).

One place for the rules, as querysets every authoring view goes through: tutors (and admins)
write questions; a tutor edits and retires only the questions they wrote, an admin every
question a person wrote or imported. Generated questions follow their topic document and are
edited in the admin, never here. Anything outside a user's reach is a 404.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404

from accounts.roles import is_tutor
from assessments.models import Question
from topics.models import Topic


def may_author(user) -> bool:
    """Tutors and admins write questions."""
    return is_tutor(user)


def may_try(user) -> bool:
    """Tutors and staff (the admin's editors) try questions on the "Try this question" page."""
    return is_tutor(user) or (user.is_authenticated and user.is_active and user.is_staff)


def editable_questions(user):
    """The questions ``user`` may edit and retire here: their own written ones (a tutor), or
    every written or imported one (an admin)."""
    if user.is_superuser:
        return Question.objects.exclude(origin=Question.Origin.GENERATED)
    return Question.objects.filter(origin=Question.Origin.AUTHORED, author=user)


def question_for_editing(user, pk: int) -> Question:
    """A question ``user`` may edit, with its topic and options; ``Http404`` otherwise."""
    question = (
        editable_questions(user)
        .select_related("topic", "author")
        .prefetch_related("options")
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404("No such question.")
    return question


def question_for_trying(user, pk: int) -> Question:
    """Any question, for someone who may try questions; ``Http404`` otherwise."""
    question = (
        Question.objects.select_related("topic", "author", "marking_point")
        .prefetch_related("options", "indicators")
        .filter(pk=pk)
        .first()
    )
    if question is None or not may_try(user):
        raise Http404("No such question.")
    return question


def topic_for_authoring(slug: str) -> Topic:
    topic = Topic.objects.filter(slug=slug).only("pk", "slug", "title", "is_published").first()
    if topic is None:
        raise Http404("No such topic.")
    return topic


def questions_written_in(user, topic: Topic):
    """The questions of ``topic`` that ``user`` may edit, newest first (retired ones too)."""
    return (
        editable_questions(user)
        .filter(topic=topic)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def topics_with_written_counts(user):
    """Every topic (title order) with ``written``: how many of its questions ``user`` may edit
    here, counted in the same query."""
    mine = Q(questions__origin=Question.Origin.AUTHORED, questions__author=user)
    if user.is_superuser:
        mine = ~Q(questions__origin=Question.Origin.GENERATED) & Q(questions__isnull=False)
    return (
        Topic.objects.only("pk", "slug", "title", "is_published")
        .annotate(written=Count("questions", filter=mine))
        .order_by("title", "pk")
    )
