"""Question bank, quiz attempts and the marked responses in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from assessments.answer_options import ChoiceSnapshot, answer_key_problems
from assessments.lexicon import DEFAULT_LEXICON
from assessments.marking.lexical import MAX_CHARS
from assessments.rubrics import Indicator as RubricIndicator
from assessments.rubrics import Rubric
from topics.models import MarkingPoint, Topic

# Longest answer a learner may submit; longer ones get a clear message, never a silent cut. It
# is the marker's own bound, so every answer stored is marked whole.
ANSWER_MAX_CHARS = MAX_CHARS

# The fields of a question that decide how its answers are marked (a change to any of them
# rebuilds the rubric's marks).
RUBRIC_FIELDS = (
    "prompt",
    "required_count",
    "requires_explanation",
    "requires_link",
    "auto_markable",
    "model_answer",
    "lexicon",
    "marking_guidance",
)

# The fields of a response that marking writes (the service stores them; the admin shows them
# read-only).
MARK_FIELDS = (
    "rubric_snapshot",
    "result",
    "awarded",
    "score",
    "max_score",
    "confident",
    "needs_tutor",
    "marked_at",
    "misconception_count",
)


class QuestionQuerySet(models.QuerySet):
    def active(self) -> "QuestionQuerySet":
        return self.filter(is_active=True)

    def with_broken_answer_key(self) -> "QuestionQuerySet":
        """Choice questions whose options cannot be marked: ``answer_key_problems``'s rules in
        SQL (counts of options, right ones, blank ones, "True"/"False" ones), so the admin's
        question list never reads every option to count them."""
        blank = Q(options__text__regex=r"^\s*$")
        choice = self.exclude(kind=Question.Kind.SHORT_ANSWER).annotate(
            n_options=Count("options", distinct=True),
            n_right=Count("options", filter=Q(options__is_correct=True), distinct=True),
            n_blank=Count("options", filter=blank, distinct=True),
            n_true=Count("options", filter=Q(options__text__iregex=r"^\s*true\s*$"), distinct=True),
            n_false=Count(
                "options", filter=Q(options__text__iregex=r"^\s*false\s*$"), distinct=True
            ),
        )
        true_false = Q(kind=Question.Kind.TRUE_FALSE)
        broken_true_false = true_false & (
            ~Q(n_options=2)
            | ~Q(n_true=1)
            | ~Q(n_false=1)
            | ~Q(n_right=1)
            | Q(multiple_answers=True)
        )
        broken_choice = ~true_false & (
            Q(n_options__lt=2)
            | Q(n_blank__gt=0)
            | Q(n_right=0)
            | Q(multiple_answers=False, n_right__gt=1)
        )
        return self.filter(pk__in=choice.filter(broken_true_false | broken_choice).values("pk"))


class Question(models.Model):
    class Kind(models.TextChoices):
        SHORT_ANSWER = "short_answer", "Short answer (marked against a marking point)"
        CONCEPT_CHOICE = "concept_choice", "Multiple choice: which key concept"
        MISCONCEPTION_CHOICE = "misconception_choice", "Multiple choice: spot the mistake"
        # Written by a person or imported; one right answer or several (``multiple_answers``).
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        TRUE_FALSE = "true_false", "True or false"

    class Origin(models.TextChoices):
        GENERATED = "generated", "Generated from the topic document"
        AUTHORED = "authored", "Written by a tutor or editor"
        IMPORTED = "imported", "Imported from a question bank file"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="questions")
    marking_point = models.ForeignKey(
        MarkingPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
    )
    kind = models.CharField(
        max_length=32,
        choices=Kind.choices,
        default=Kind.SHORT_ANSWER,
        help_text="Short answer: written, marked against the rubric. Multiple choice: the "
        "learner picks from the options below. True or false: the options are “True” and "
        "“False”, one ticked as right.",
    )
    # Only generated questions are ever rewritten or retired by a topic's re-import.
    origin = models.CharField(
        max_length=16,
        choices=Origin.choices,
        default=Origin.GENERATED,
        help_text="Where the question came from: only generated ones follow the topic "
        "document when it is imported again.",
    )
    name = models.CharField(
        max_length=255,
        blank=True,
        help_text="A short name to find the question by in lists (optional; the prompt's "
        "start is shown when it is blank).",
    )
    prompt = models.TextField()
    general_feedback = models.TextField(
        blank=True,
        help_text="Shown to the learner after they answer, whatever their answer: the reason "
        "behind the right answer, or where to read more.",
    )
    multiple_answers = models.BooleanField(
        default=False,
        help_text="Several options are right: the learner ticks boxes and is credited only "
        "when they tick every right option and no wrong one.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_questions",
        help_text="The tutor or editor who wrote it (none for generated or imported questions).",
    )
    marking_guidance = models.TextField(
        blank=True,
        help_text="For a short-answer question with no marking point: what earns credit, as "
        "an examiner would put it (e.g. “Award credit for identifying two benefits…”). The "
        "rubric is built from it (or from the prompt when it is blank) and the model answer.",
    )
    position = models.PositiveIntegerField(default=0)
    # Short-answer rubric (indicators are their own rows, below).
    required_count = models.PositiveSmallIntegerField(
        default=1, help_text="How many distinct indicators an answer needs for credit."
    )
    requires_explanation = models.BooleanField(
        default=False,
        help_text="The point asks to explain/justify/describe a link: a bare list earns nothing.",
    )
    requires_link = models.BooleanField(
        default=False,
        help_text="The answer must connect its ideas (because, so, leads to…); also implied "
        "by the point's wording.",
    )
    auto_markable = models.BooleanField(
        default=True,
        help_text="Off for points only shown in live role-play: a tutor marks those.",
    )
    model_answer = models.TextField(blank=True)
    # The subject vocabulary the rubric was built with and is marked with (set by the question
    # bank from the topic's qualification; questions from before it used customer service's).
    lexicon = models.CharField(max_length=64, default=DEFAULT_LEXICON, editable=False)
    # What the question's exemplars taught the marker (assessments.marking.exemplars.Learning as
    # JSON), relearned whenever they change, so marking never re-reads the exemplars.
    learning = models.JSONField(default=dict, blank=True, editable=False)
    # Generated questions carry the key of what they were generated from, so a re-import
    # updates them instead of adding duplicates. Hand-written questions have none.
    source_key = models.CharField(max_length=255, blank=True, editable=False)
    is_customised = models.BooleanField(
        default=False,
        help_text="Edited by a person: regeneration on re-import leaves it alone.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()
    # Rubric history (django-simple-history), shown on the question's History page in the admin.
    # What was learned is derived from the exemplars, which keep their own dates.
    history = HistoricalRecords(excluded_fields=["learning"])

    class Meta:
        ordering = ["topic", "position", "id"]
        indexes = [
            # Quiz home asks "which topics have active questions, and how many": an index-only
            # scan of this instead of reading every question row.
            models.Index(
                fields=["topic"], condition=Q(is_active=True), name="question_active_by_topic"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "source_key"],
                condition=~Q(source_key=""),
                name="question_unique_source_key",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The question's name, or the start of its prompt when it has none."""
        if self.name:
            return self.name
        prompt = " ".join(self.prompt.split())
        return prompt if len(prompt) <= 80 else prompt[:79].rstrip() + "…"

    @property
    def is_short_answer(self) -> bool:
        return self.kind == self.Kind.SHORT_ANSWER

    @property
    def is_choice(self) -> bool:
        """Answered by choosing options (radios, or boxes for ``multiple_answers``)."""
        return self.kind != self.Kind.SHORT_ANSWER

    @property
    def takes_several_answers(self) -> bool:
        """The learner ticks boxes: a choice question with several right options allowed."""
        return self.is_choice and self.multiple_answers and self.kind != self.Kind.TRUE_FALSE

    def option_texts(self) -> list[str]:
        """The options' texts in the order shown (position 0 first); reads ``options`` as
        prefetched."""
        return [option.text for option in self.options.all()]

    def correct_positions(self) -> list[int]:
        """The positions (0 is the first shown) of the right options."""
        return [i for i, option in enumerate(self.options.all()) if option.is_correct]

    def choice_snapshot(self) -> ChoiceSnapshot:
        """The question's options as a learner is shown them, kept with a marked answer."""
        return ChoiceSnapshot.of(
            list(self.options.all()),
            general_feedback=self.general_feedback,
            multiple_answers=self.takes_several_answers,
        )

    @property
    def answer_key_is_sound(self) -> bool:
        """False for a choice question whose options cannot be marked."""
        return not answer_key_problems(self.kind, self.multiple_answers, self.options.all())

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.TRUE_FALSE and self.multiple_answers:
            raise ValidationError(
                {"multiple_answers": "A true/false question has one right answer."}
            )

    def rubric_point_text(self) -> str:
        """What the rubric marks against: the topic's marking point, else the hand-written
        marking guidance, else the prompt."""
        if self.marking_point_id:
            return self.marking_point.text
        return self.marking_guidance.strip() or self.prompt

    def to_rubric(self) -> Rubric:
        """The pure rubric the marker reads; ``indicators`` must be loaded (prefetched)."""
        return Rubric(
            point_text=self.rubric_point_text(),
            prompt=self.prompt,
            required_count=self.required_count,
            indicators=tuple(
                RubricIndicator(label=i.label, alternatives=tuple(i.alternatives))
                for i in self.indicators.all()
            ),
            requires_explanation=self.requires_explanation,
            auto_markable=self.auto_markable,
            model_answer=self.model_answer,
            requires_link=self.requires_link,
            lexicon=self.lexicon,
        )


class AnswerOption(models.Model):
    """One option of a question, in the order shown (``position`` 0 is the first).

    Choice questions: the options a learner picks from, the right ones ticked. True/false:
    exactly "True" and "False". Short answer: right ones are further accepted answers and wrong
    ones anticipated mistakes, each with the feedback to give.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    is_correct = models.BooleanField(
        "correct", default=False, help_text="Tick the right option (or every right option)."
    )
    feedback = models.TextField(
        blank=True, help_text="Shown to a learner who picks this option, after they answer."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Indicator(models.Model):
    """An idea an answer can show for credit, with the other ways people say it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=200)
    alternatives = models.JSONField(
        default=list, blank=True, help_text="Other phrasings, synonyms and abbreviations."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class AttemptQuerySet(models.QuerySet):
    def for_learner(self, user) -> "AttemptQuerySet":
        """The only attempts a learner may see: their own."""
        return self.filter(learner=user)

    def submitted(self) -> "AttemptQuerySet":
        return self.filter(submitted_at__isnull=False)

    def marked(self) -> "AttemptQuerySet":
        """Submitted attempts whose answers the worker has marked: the only ones with marks."""
        return self.filter(marked_at__isnull=False)

    def awaiting_marking(self) -> "AttemptQuerySet":
        return self.filter(submitted_at__isnull=False, marked_at__isnull=True)


class Attempt(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", "Topic quiz"
        MIXED = "mixed", "Mixed quiz"
        WEAK_POINTS = "weak_points", "Practise my weak points"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts"
    )
    title = models.CharField(max_length=250)
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set by the marking task in the same transaction that stores every response's mark, so an
    # attempt is either wholly marked or not at all; pages that show marks read only these.
    marked_at = models.DateTimeField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["learner", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.learner})"

    def get_absolute_url(self) -> str:
        if self.submitted_at:
            return reverse("assessments:results", kwargs={"pk": self.pk})
        return reverse("assessments:question", kwargs={"pk": self.pk, "number": 1})

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_marked(self) -> bool:
        return self.marked_at is not None


class Response(models.Model):
    """A learner's answer to one question in an attempt, with how it was marked."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    position = models.PositiveIntegerField()
    answer_text = models.TextField(blank=True, max_length=ANSWER_MAX_CHARS)
    # The chosen option's position (single-answer choice questions) ...
    selected_choice = models.PositiveSmallIntegerField(null=True, blank=True)
    # ... or the ticked options' positions (multiple-answer questions).
    selected_choices = models.JSONField(default=list, blank=True)
    # Marking: the rubric as it was when marked, and the marker's full result.
    rubric_snapshot = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    awarded = models.BooleanField(null=True, help_text="The auto-marker's decision.")
    score = models.PositiveSmallIntegerField(default=0)
    max_score = models.PositiveSmallIntegerField(default=0)
    confident = models.BooleanField(default=True)
    needs_tutor = models.BooleanField(
        default=False, help_text="Not auto-markable, or the marker was unsure."
    )
    marked_at = models.DateTimeField(null=True, blank=True)
    # How many topic misconceptions the answer stated as true: lets the class view find them
    # without reading every result.
    misconception_count = models.PositiveSmallIntegerField(default=0)
    # A tutor's mark replaces the auto result for every figure; the auto result stays above.
    override_awarded = models.BooleanField(null=True, blank=True)
    override_comment = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="response_once"),
            models.UniqueConstraint(fields=["attempt", "position"], name="response_position"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt} #{self.position}"

    @property
    def credited(self) -> bool:
        """Whether the answer counts as credited: the tutor's mark if any, else the auto mark."""
        if self.override_awarded is not None:
            return self.override_awarded
        return bool(self.awarded)

    @property
    def is_answered(self) -> bool:
        return (
            bool(self.answer_text.strip())
            or self.selected_choice is not None
            or bool(self.selected_choices)
        )

    @property
    def chosen_positions(self) -> list[int]:
        """The options the learner chose, whichever way the question takes answers."""
        if self.selected_choices:
            return [p for p in self.selected_choices if isinstance(p, int)]
        return [] if self.selected_choice is None else [self.selected_choice]


class Exemplar(models.Model):
    """An answer to a question with the credit a person gave it: what teaches the marker.

    Made by a tutor's override or review-queue decision, or imported. One per distinct answer
    text per question (``answer_key``): a later mark of the same words replaces the earlier.
    """

    class Source(models.TextChoices):
        OVERRIDE = "override", "Tutor's override"
        QUEUE = "queue", "Review queue"
        IMPORT = "import", "Imported"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="exemplars")
    answer_text = models.TextField(max_length=ANSWER_MAX_CHARS)
    answer_key = models.CharField(max_length=64, editable=False)
    credited = models.BooleanField()
    source = models.CharField(max_length=16, choices=Source.choices)
    response = models.ForeignKey(
        "Response", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question", "-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "answer_key"], name="exemplar_once_per_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{'Credited' if self.credited else 'Not credited'}: {self.answer_text[:60]}"


class OverrideRecord(models.Model):
    """Every change a tutor makes to a mark, kept for the audit trail."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="override_log")
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    previous_awarded = models.BooleanField(null=True, help_text="The credit before this change.")
    awarded = models.BooleanField(null=True, help_text="Tutor's mark; empty: override removed.")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Override of {self.response} by {self.tutor}"


class ResultRevision(models.Model):
    """An earlier marking of a response, kept when it is re-marked against a changed rubric."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="revisions")
    rubric_snapshot = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    awarded = models.BooleanField(null=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"Earlier result for {self.response}"


class RemarkRun(models.Model):
    """A background re-mark of one question's automatic marks after its rubric or what its
    exemplars taught changed: what was asked, why, and how far the workers have got.

    Only answers no tutor has marked are re-marked; each keeps its earlier result as a
    ``ResultRevision``. A newer run of the same question supersedes an unfinished one (it
    re-marks everything the older one would have).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        SUPERSEDED = "superseded", "Superseded by a later re-mark"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="remark_runs")
    reason = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Answers to re-mark when asked.")
    done = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["question", "-requested_at"], name="remark_run_latest")]

    def __str__(self) -> str:
        return f"Re-mark of {self.question_id}: {self.progress}"

    @property
    def progress(self) -> str:
        """Where the run is, for people."""
        if self.state == self.State.FINISHED:
            return f"finished: {self.done:,} of {self.total:,} answers re-marked"
        if self.state == self.State.SUPERSEDED:
            return f"superseded by a later re-mark after {self.done:,} of {self.total:,} answers"
        if self.state == self.State.RUNNING:
            return f"running: {self.done:,} of {self.total:,} answers re-marked"
        return f"queued: {self.total:,} answers to re-mark"


class PointMastery(models.Model):
    """Where a learner stands on one marking point: their latest answer to it and its credit.

    Kept up to date inside the same transactions that submit, re-mark and override answers, so
    progress pages, weak points and cohort heatmaps read one small row per learner and point
    instead of scanning every answer ever given.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="point_mastery"
    )
    marking_point = models.ForeignKey(
        MarkingPoint, on_delete=models.CASCADE, related_name="mastery"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="mastery")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    credited = models.BooleanField()
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "marking_point"], name="mastery_once_per_point"
            )
        ]
        indexes = [models.Index(fields=["topic", "learner"])]

    def __str__(self) -> str:
        return f"{self.learner} · {self.marking_point}: {'credited' if self.credited else 'missed'}"


class LearnerTopicSummary(models.Model):
    """One learner's standing on one topic, derived from their ``PointMastery`` rows.

    Counts only the topic's active marking points. A row exists while the learner has answered
    at least one of them; topics without a row are "not started". Never edited by hand: the
    services recompute the affected rows (``assessments.summaries``) in the same transactions
    that submit, re-mark and override answers and that change what a topic contains, so the
    progress page and quiz home read one row per topic shown instead of every answer.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_summaries"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="learner_summaries")
    points_answered = models.PositiveIntegerField(
        help_text="Active marking points the learner has answered."
    )
    points_credited = models.PositiveIntegerField(
        help_text="Of those, the ones whose latest answer is credited (a tutor's mark counts)."
    )
    points_total = models.PositiveIntegerField(help_text="Active marking points in the topic.")
    last_answered_at = models.DateTimeField(
        help_text="When the latest of those answers was submitted."
    )

    class Meta:
        verbose_name_plural = "learner topic summaries"
        constraints = [
            models.UniqueConstraint(fields=["learner", "topic"], name="topic_summary_once"),
        ]
        indexes = [models.Index(fields=["learner", "-last_answered_at"])]

    def __str__(self) -> str:
        return f"{self.learner} · {self.topic}: {self.points_credited} of {self.points_total}"

    @property
    def percent(self) -> int:
        return round(100 * self.points_credited / self.points_total) if self.points_total else 0
