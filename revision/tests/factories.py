import factory
from django.utils import timezone

from assessments.tests.factories import UserFactory
from revision.models import Card
from topics.tests.factories import MarkingPointFactory


class PointCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    learner = factory.SubFactory(UserFactory)
    marking_point = factory.SubFactory(MarkingPointFactory)
    topic = factory.SelfAttribute("marking_point.topic")
    kind = Card.Kind.POINT
    content_key = factory.LazyAttribute(lambda card: f"point:{card.marking_point.pk}")
    due = factory.LazyFunction(timezone.now)
