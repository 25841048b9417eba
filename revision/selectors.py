"""Reads for the Today page, the flashcard session and the schedule export.

Each runs a fixed number of queries however many cards and reviews a learner has: counts and
the forecast are aggregated in SQL, and only the cards shown are loaded.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from assessments.models import Question
from revision.models import Card, ReviewLog, StudiedTopic
from revision.services import day_start, new_cards_per_day
from topics.models import KeyConcept, Misconception
from topics.parsing import normalise_text

DUE_CARDS_LISTED = 10


@dataclass
class ForecastDay:
    date: datetime.date
    count: int
    percent: int = 0  # of the busiest day in the range, for the bar's width


@dataclass
class TodaySummary:
    due_reviews: int
    new_today: int
    new_limit: int
    due_this_week: int
    studied_topics: int
    total_cards: int
    due_cards: list = field(default_factory=list)
    forecast_7: list[ForecastDay] = field(default_factory=list)
    forecast_30: list[ForecastDay] = field(default_factory=list)
    due_questions: int = 0

    @property
    def due_now(self) -> int:
        return self.due_reviews + self.new_today


def new_cards_left_today(learner, now) -> int:
    """How many cards the learner may still meet for the first time today (one query)."""
    introduced = ReviewLog.objects.filter(
        learner=learner,
        source=ReviewLog.Source.FLASHCARD,
        was_new=True,
        reviewed_at__gte=day_start(now),
    ).count()
    return max(0, new_cards_per_day() - introduced)


def _bars(days: list[ForecastDay]) -> list[ForecastDay]:
    busiest = max((d.count for d in days), default=0)
    for day in days:
        day.percent = round(100 * day.count / busiest) if busiest else 0
    return days


def today_summary(learner, now=None) -> TodaySummary:
    """Everything the Today page shows. Queries: studied topics and cards (one aggregate),
    new cards met today, the forecast (cards per day), due questions, the due cards listed."""
    now = now or timezone.now()
    start = day_start(now)
    cards = Card.objects.for_learner(learner).active()
    totals = cards.aggregate(
        total=Count("id"),
        unseen=Count("id", filter=_unseen()),
        due_reviews=Count("id", filter=_seen_due(now)),
        due_points=Count("id", filter=_seen_due(now) & _points()),
    )
    studied = StudiedTopic.objects.filter(learner=learner).count()
    left = new_cards_left_today(learner, now)
    new_today = min(left, totals["unseen"])
    # Cards due per day over the next 30 days; anything overdue counts as due today.
    per_day = dict(
        cards.seen()
        .filter(due__lt=start + datetime.timedelta(days=30))
        .annotate(day=TruncDate("due", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    today = start.date()
    overdue = sum(n for day, n in per_day.items() if day < today)
    days = [
        ForecastDay(
            date=today + datetime.timedelta(days=i),
            count=per_day.get(today + datetime.timedelta(days=i), 0) + (overdue if i == 0 else 0),
        )
        for i in range(30)
    ]
    # Today's column also shows the new cards still to meet today.
    days[0].count += new_today
    due_cards = list(
        cards.seen()
        .filter(due__lte=now)
        .select_related("topic", "marking_point")
        .order_by("due", "id")[:DUE_CARDS_LISTED]
    )
    if new_today:
        # One query whether or not the reviews fill the list (none when no new card is left).
        due_cards += list(
            cards.unseen()
            .select_related("topic", "marking_point")
            .order_by("topic_id", "position", "id")[: min(new_today, DUE_CARDS_LISTED)]
        )
    due_cards = due_cards[:DUE_CARDS_LISTED]
    return TodaySummary(
        due_reviews=totals["due_reviews"],
        new_today=new_today,
        new_limit=new_cards_per_day(),
        due_this_week=sum(d.count for d in days[:7]),
        studied_topics=studied,
        total_cards=totals["total"],
        due_cards=due_cards,
        forecast_7=_bars([ForecastDay(d.date, d.count) for d in days[:7]]),
        forecast_30=_bars(days),
        due_questions=totals["due_points"],
    )


def _unseen():
    return Q(last_review__isnull=True)


def _seen_due(now):
    return Q(last_review__isnull=False, due__lte=now)


def _points():
    return Q(kind=Card.Kind.POINT)


def next_card(learner, now=None) -> Card | None:
    """The card to show next: the most overdue review, else a new card if today's limit allows
    (topic by topic, in page order). Two or three queries."""
    now = now or timezone.now()
    cards = Card.objects.for_learner(learner).active().select_related("topic", "marking_point")
    card = cards.seen().filter(due__lte=now).order_by("due", "id").first()
    if card is None and new_cards_left_today(learner, now):
        card = cards.unseen().order_by("topic_id", "position", "id").first()
    return card


def due_point_questions(learner, now=None, *, limit: int = 10) -> list[Question]:
    """Short-answer questions of the learner's due marking-point cards (most overdue first)."""
    now = now or timezone.now()
    point_ids = list(
        Card.objects.for_learner(learner)
        .active()
        .seen()
        .filter(kind=Card.Kind.POINT, due__lte=now)
        .order_by("due", "id")
        .values_list("marking_point_id", flat=True)[: limit * 2]
    )
    by_point = {
        q.marking_point_id: q
        for q in Question.objects.active().filter(
            marking_point_id__in=point_ids, kind=Question.Kind.SHORT_ANSWER, auto_markable=True
        )
    }
    return [by_point[pk] for pk in point_ids if pk in by_point][:limit]


@dataclass
class CardFace:
    """What a flashcard shows: the prompt on the front, the answer on the back."""

    kicker: str
    front: str
    back: str
    back_label: str = "Answer"
    note: str = ""
    true_or_false: bool | None = None


def _keyed_item(card: Card, model, key_field: str, other_field: str):
    """The card's key concept or misconception: the one in its topic whose ``key_field``,
    normalised, is the text its content key was made from (None if it has gone)."""
    wanted = card.content_key.split(":", 1)[1]
    items = model.objects.filter(topic_id=card.topic_id).only(key_field, other_field)
    return next(
        (item for item in items if normalise_text(getattr(item, key_field)) == wanted), None
    )


def card_face(card: Card) -> CardFace | None:
    """The card's content, from the topic's current text (one query; two for a question a tutor
    wrote, with its options). None if it has gone."""
    kind = card.kind
    if kind == Card.Kind.POINT:
        point = card.marking_point
        question = (
            Question.objects.active()
            .filter(marking_point_id=card.marking_point_id, kind=Question.Kind.SHORT_ANSWER)
            .only("prompt", "model_answer")
            .first()
        )
        prompt = question.prompt if question else point.text
        answer = (question.model_answer if question else "") or point.text
        return CardFace(
            kicker="Exam question",
            front=prompt,
            back=answer,
            back_label="Model answer",
            note=f"Examiner's marking point: {point.text}",
        )
    if kind == Card.Kind.QUESTION:
        return _question_face(card)
    if kind in (Card.Kind.TERM, Card.Kind.DEFINITION):
        concept = _keyed_item(card, KeyConcept, "term", "explanation")
        if concept is None:
            return None
        if kind == Card.Kind.TERM:
            return CardFace(
                "Key concept: what does it mean?", concept.term, concept.explanation, "Explanation"
            )
        return CardFace(
            "Which key concept is this?", concept.explanation, concept.term, "Key concept"
        )
    item = _keyed_item(card, Misconception, "statement", "correction")
    if item is None:
        return None
    # Alternate between the mistake (false) and its correction (true) from one review to the
    # next, so the learner cannot learn that every statement here is false.
    show_correction = bool(item.correction) and _alternate(card)
    if show_correction:
        return CardFace(
            "True or false?",
            item.correction,
            "True.",
            "Answer",
            note=f"The common mistake is to think: “{item.statement}”",
            true_or_false=True,
        )
    return CardFace(
        "True or false?",
        item.statement,
        "False: this is a common mistake." + (f" {item.correction}" if item.correction else ""),
        "Answer",
        true_or_false=False,
    )


def _question_face(card: Card) -> CardFace | None:
    """A question a tutor wrote: its prompt, then the model answer or the right option(s),
    with the feedback every learner is given. None once it is retired or gone."""
    question_id = card.content_key.split(":", 1)[1]
    question = (
        Question.objects.active()
        .filter(pk=int(question_id) if question_id.isdigit() else 0, topic_id=card.topic_id)
        .prefetch_related("options")
        .first()
    )
    if question is None:
        return None
    if question.is_short_answer:
        back, label = question.model_answer or question.rubric_point_text(), "Model answer"
    else:
        right = [o.text for o in question.options.all() if o.is_correct]
        back = "; ".join(right)
        label = "Right answers" if len(right) > 1 else "Answer"
    return CardFace(
        kicker="Question from your tutor",
        front=question.prompt,
        back=back,
        back_label=label,
        note=question.general_feedback,
    )


def _alternate(card: Card) -> bool:
    digest = hashlib.sha256(f"{card.pk}:{card.reps}".encode()).digest()
    return digest[0] % 2 == 1


def schedule_rows(learner):
    """The learner's cards with their schedule and reviews, for the export (two queries,
    streamed)."""
    cards = (
        Card.objects.for_learner(learner)
        .select_related("topic")
        .order_by("topic__title", "position", "id")
    )
    reviews: dict[int, list] = {}
    for log in ReviewLog.objects.filter(learner=learner).order_by("reviewed_at", "id"):
        reviews.setdefault(log.card_id, []).append(log)
    return cards, reviews
