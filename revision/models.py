"""Spaced repetition: a learner's cards, their FSRS state, and every review that moved them.

A card is one thing to remember from a topic the learner revises: a marking point (question →
model answer), a key concept in either direction, or a misconception ("true or false?"). Its
FSRS state (``due``, ``stability``, ``difficulty``, ``state``, ``step``, ``last_review``) lives in
columns so the Today page can count and order cards in SQL; ``ReviewLog`` keeps every review, so
the state can always be rebuilt by replaying the logs through the ``fsrs`` scheduler
(``manage.py rebuild_schedules``). Details: docs/revision.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.rubrics import make_prompt
from topics.models import MarkingPoint, Topic


class StudiedTopic(models.Model):
    """A topic a learner revises: they answered a question on it or chose it. Their cards are
    made for the topics they study, and only those."""

    class Source(models.TextChoices):
        QUIZ = "quiz", "Answered a quiz question on it"
        CHOSEN = "chosen", "Chose to revise it"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="studied_topics"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="studied_by")
    source = models.CharField(max_length=16, choices=Source.choices)
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "topic"], name="studied_topic_once")
        ]

    def __str__(self) -> str:
        return f"{self.learner} revises {self.topic}"


class CardQuerySet(models.QuerySet):
    def for_learner(self, user) -> "CardQuerySet":
        """The only cards a learner may see or rate: their own."""
        return self.filter(learner=user)

    def active(self) -> "CardQuerySet":
        return self.filter(retired_at__isnull=True)

    def seen(self) -> "CardQuerySet":
        return self.filter(last_review__isnull=False)

    def unseen(self) -> "CardQuerySet":
        return self.filter(last_review__isnull=True)


class Card(models.Model):
    class Kind(models.TextChoices):
        POINT = "point", "Marking point: question → model answer"
        TERM = "term", "Key concept: term → explanation"
        DEFINITION = "definition", "Key concept: explanation → term"
        MISCONCEPTION = "misconception", "True or false? (a common mistake)"
        QUESTION = "question", "A question a tutor wrote: question → answer"

    # fsrs.State values; a card nobody has reviewed yet is Learning with no last_review.
    class State(models.IntegerChoices):
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="revision_cards"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="revision_cards")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Point cards follow their marking point (kept across re-imports, retired with it).
    marking_point = models.ForeignKey(
        MarkingPoint, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What the card is about, stable across re-imports that keep the wording: "point:<id>", or
    # the source key of the generated question on the same content ("concept:<normalised
    # term>", "misconception:<normalised statement>"), so a quiz answer finds its card.
    content_key = models.CharField(max_length=255)
    # Order of introduction within a topic (the section's order on the revision page).
    position = models.PositiveIntegerField(default=0)
    # FSRS card state.
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    # Reviews so far: the rating form carries it, so a second submit of the same card view
    # (double click, refresh, back button) is recognised and reviews nothing.
    reps = models.PositiveIntegerField(default=0)
    # A new card is due from when it was made (the replay of no reviews gives that back).
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the content went away (a retired marking point, a concept or misconception no
    # longer in the topic); cleared if it comes back. Retired cards are never shown or counted.
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "topic", "kind", "content_key"], name="card_once_per_content"
            )
        ]
        indexes = [
            models.Index(fields=["learner", "due"], name="card_learner_due"),
            models.Index(fields=["topic", "kind", "content_key"], name="card_content"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.content_key[:60]} ({self.learner})"

    @property
    def is_new(self) -> bool:
        return self.last_review is None

    @property
    def label(self) -> str:
        """A short name for lists: the question a point asks the learner (its wording as the
        question bank words it, not the examiner's "Award credit for…"), or the term /
        statement it is keyed by (load ``marking_point`` with the card)."""
        if self.kind == self.Kind.POINT and self.marking_point_id:
            return make_prompt(self.marking_point.text) or self.marking_point.text
        if self.kind == self.Kind.QUESTION:
            # Keyed by the question's id, which means nothing to a learner.
            return "A question your tutor wrote"
        return self.content_key.split(":", 1)[-1]


class ReviewLog(models.Model):
    """One review of a card: from a flashcard self-rating or from a marked quiz answer."""

    class Source(models.TextChoices):
        QUIZ = "quiz", "Quiz answer"
        FLASHCARD = "flashcard", "Flashcard"

    class Rating(models.IntegerChoices):
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    # The card's learner, kept here so per-learner counts (new cards today) read one index.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=Source.choices)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The quiz answer this review came from: one review per answer and card, so marking twice,
    # re-marking or overriding never reviews twice (the rating is corrected and the card's
    # schedule replayed instead).
    response = models.ForeignKey(
        "assessments.Response", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The card's first review: what the daily new-card limit counts.
    was_new = models.BooleanField(default=False)

    class Meta:
        ordering = ["reviewed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "response"],
                condition=Q(response__isnull=False),
                name="review_once_per_answer",
            )
        ]
        indexes = [models.Index(fields=["learner", "reviewed_at"], name="review_learner_time")]

    def __str__(self) -> str:
        return f"{self.card} rated {self.get_rating_display()} at {self.reviewed_at:%Y-%m-%d %H:%M}"
