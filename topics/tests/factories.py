import factory

from topics.models import (
    ExamTip,
    KeyConcept,
    MarkingPoint,
    Misconception,
    Qualification,
    Topic,
)


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    name = factory.Sequence(lambda n: f"Level 3 Diploma in Subject {n}")
    awarding_body = "Example Awards Limited"
    level = 3


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    qualification = factory.SubFactory(QualificationFactory)
    title = factory.Sequence(lambda n: f"Customer service topic {n}")
    slug = factory.Sequence(lambda n: f"customer-service-topic-{n}")
    synopsis = "This topic explores how organisations keep their customers."
    source_file = factory.Sequence(lambda n: f"{n:03d}_factory.txt")


class SectionFactory(factory.django.DjangoModelFactory):
    topic = factory.SubFactory(TopicFactory)
    position = factory.Sequence(int)


class KeyConceptFactory(SectionFactory):
    class Meta:
        model = KeyConcept

    term = factory.Sequence(lambda n: f"Concept {n}")
    explanation = "Understanding how to exceed customer expectations."


class ExamTipFactory(SectionFactory):
    class Meta:
        model = ExamTip

    text = "Link every strategy to a retention outcome."


class MisconceptionFactory(SectionFactory):
    class Meta:
        model = Misconception

    statement = "Complaints are always negative."
    correction = "Complaints are valuable feedback."


class MarkingPointFactory(SectionFactory):
    class Meta:
        model = MarkingPoint

    text = factory.Sequence(lambda n: f"Award credit for identifying benefit number {n}.")


def topic_with_sections(**kwargs) -> Topic:
    """A topic with one item in each main section, as an import would leave it."""
    topic = TopicFactory(**kwargs)
    KeyConceptFactory(topic=topic)
    ExamTipFactory(topic=topic)
    MisconceptionFactory(topic=topic)
    MarkingPointFactory(topic=topic)
    return topic
