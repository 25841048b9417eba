import factory
from django.contrib.auth import get_user_model

from assessments.models import AnswerOption, Attempt, Indicator, Question, Response
from topics.tests.factories import MarkingPointFactory, TopicFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.django.Password("a-long-test-password")


class ShortAnswerQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    topic = factory.SubFactory(TopicFactory)
    marking_point = factory.SubFactory(MarkingPointFactory, topic=factory.SelfAttribute("..topic"))
    kind = Question.Kind.SHORT_ANSWER
    prompt = factory.Sequence(lambda n: f"Identify two benefits of customer loyalty ({n}).")
    required_count = 1
    position = factory.Sequence(int)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    question = factory.SubFactory(ShortAnswerQuestionFactory)
    label = "repeat business"
    alternatives = factory.LazyFunction(lambda: ["repeat purchases", "customers come back"])


class ChoiceQuestionFactory(factory.django.DjangoModelFactory):
    """A choice question with its options. ``choices`` (texts, in order) and ``correct_choice``
    (the right one's position, or a list of positions) are written as ``AnswerOption`` rows;
    ``option_feedback`` gives each option's feedback."""

    class Meta:
        model = Question

    topic = factory.SubFactory(TopicFactory)
    kind = Question.Kind.CONCEPT_CHOICE
    prompt = "Which key concept does this describe? “Passing a complaint upwards.”"
    choices = factory.LazyFunction(lambda: ["Escalation", "Empathy", "Churn", "NPS"])
    correct_choice = 0
    option_feedback = factory.LazyFunction(list)
    position = factory.Sequence(lambda n: 1000 + n)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        choices = kwargs.pop("choices")
        correct = kwargs.pop("correct_choice")
        feedback = kwargs.pop("option_feedback")
        question = super()._create(model_class, *args, **kwargs)
        right = set(correct) if isinstance(correct, list | tuple | set) else {correct}
        AnswerOption.objects.bulk_create(
            AnswerOption(
                question=question,
                position=position,
                text=text,
                is_correct=position in right,
                feedback=feedback[position] if position < len(feedback) else "",
            )
            for position, text in enumerate(choices)
        )
        return question

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        for name in ("choices", "correct_choice", "option_feedback"):
            kwargs.pop(name, None)
        return super()._build(model_class, *args, **kwargs)


class MultipleAnswerQuestionFactory(ChoiceQuestionFactory):
    """A person's multiple-choice question with two right options of four."""

    kind = Question.Kind.MULTIPLE_CHOICE
    origin = Question.Origin.AUTHORED
    multiple_answers = True
    prompt = "Which of these are benefits of customer loyalty?"
    choices = factory.LazyFunction(
        lambda: ["Repeat business", "Higher staff turnover", "Recommendations", "More complaints"]
    )
    correct_choice = factory.LazyFunction(lambda: [0, 2])


class TrueFalseQuestionFactory(ChoiceQuestionFactory):
    kind = Question.Kind.TRUE_FALSE
    origin = Question.Origin.AUTHORED
    prompt = "Escalation means passing a complaint to someone with more authority."
    choices = factory.LazyFunction(lambda: ["True", "False"])
    correct_choice = 0


class AnswerOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerOption

    question = factory.SubFactory(ChoiceQuestionFactory, choices=[])
    position = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"Option {n}")


class AttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attempt

    learner = factory.SubFactory(UserFactory)
    kind = Attempt.Kind.TOPIC
    title = "Topic quiz"


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    attempt = factory.SubFactory(AttemptFactory)
    question = factory.SubFactory(ShortAnswerQuestionFactory)
    position = factory.Sequence(lambda n: n + 1)


def response_waiting_for_a_tutor(
    *, question, learner, text: str = "It trips.", awarded: bool = True
) -> Response:
    """A submitted, marked answer the marker was unsure of, so it waits for a tutor."""
    attempt = AttemptFactory(learner=learner)
    attempt.submitted_at = attempt.marked_at = attempt.started_at
    attempt.save()
    return ResponseFactory(
        attempt=attempt,
        question=question,
        position=1,
        answer_text=text,
        awarded=awarded,
        needs_tutor=True,
        result={"awarded": awarded, "score": int(awarded), "max_score": 1, "reasons": []},
    )


def bulk_responses_waiting_for_a_tutor(attempts, question, marked_at) -> list[Response]:
    """One marked response per attempt, not credited, waiting for the tutor and stating a
    misconception (what tutors' pages count), made in one query for scaling tests."""
    return Response.objects.bulk_create(
        Response(
            attempt=attempt,
            question=question,
            position=1,
            answer_text="Customers come back.",
            result={"misconceptions": [{"statement": "Complaints are bad.", "correction": ""}]},
            awarded=False,
            needs_tutor=True,
            misconception_count=1,
            marked_at=marked_at,
        )
        for attempt in attempts
    )
