import factory
from django.contrib.auth import get_user_model

from assessments.models import Attempt, Indicator, Question, Response
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
    class Meta:
        model = Question

    topic = factory.SubFactory(TopicFactory)
    kind = Question.Kind.CONCEPT_CHOICE
    prompt = "Which key concept does this describe? “Passing a complaint upwards.”"
    choices = factory.LazyFunction(lambda: ["Escalation", "Empathy", "Churn", "NPS"])
    correct_choice = 0
    position = factory.Sequence(lambda n: 1000 + n)


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
