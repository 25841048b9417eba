"""The review queue: grouped by question, filtered, and worked through in batches."""

import pytest
from django.urls import reverse

from assessments.models import Exemplar, Response
from assessments.services import sync_question_bank
from assessments.tests.factories import UserFactory, response_waiting_for_a_tutor
from cohorts.services import add_member, create_cohort
from topics.tests.factories import MarkingPointFactory, TopicFactory


def waiting_answer(topic, learner, text="It trips.", awarded=True):
    """A submitted answer to the topic's first written question, waiting for a tutor."""
    return response_waiting_for_a_tutor(
        question=topic.questions.filter(kind="short_answer").first(),
        learner=learner,
        text=text,
        awarded=awarded,
    )


@pytest.fixture
def world(db, tutor):
    topics = []
    for title in ("Electrical safety", "Plumbing basics"):
        topic = TopicFactory(title=title)
        MarkingPointFactory(topic=topic, text=f"Award credit for explaining a rule of {title}")
        sync_question_bank(topic=topic)
        topics.append(topic)
    mine = create_cohort(tutor=tutor, name="Mine")
    theirs = create_cohort(tutor=UserFactory(username="other-tutor"), name="Theirs")
    learner, stranger = UserFactory(), UserFactory()
    add_member(cohort=mine, learner=learner)
    add_member(cohort=theirs, learner=stranger)
    return {
        "topics": topics,
        "mine": mine,
        "learner": learner,
        "first": waiting_answer(topics[0], learner),
        "second": waiting_answer(topics[1], learner, awarded=False),
        "stranger": waiting_answer(topics[0], stranger, text="Stranger's answer."),
    }


@pytest.mark.django_db
def test_the_queue_groups_by_question_and_filters(client, tutor, world):
    client.force_login(tutor)
    page = client.get(reverse("cohorts:queue")).content.decode()
    assert "Stranger&#x27;s answer." not in page and "Stranger's answer." not in page
    assert page.index("Electrical safety") < page.index("Plumbing basics")
    assert "Marking point:" in page
    one_topic = client.get(reverse("cohorts:queue"), {"topic": world["topics"][1].pk})
    assert list(one_topic.context["page"].object_list) == [world["second"]]
    one_question = client.get(reverse("cohorts:queue"), {"question": world["first"].question_id})
    assert list(one_question.context["page"].object_list) == [world["first"]]
    # A cohort that is not the tutor's is not a choice: the filter is ignored, nothing leaks.
    forged = client.get(reverse("cohorts:queue"), {"cohort": 999999})
    assert forged.status_code == 200
    assert world["stranger"] not in forged.context["page"].object_list


@pytest.mark.django_db
def test_accepting_a_selection_confirms_teaches_and_keeps_the_place(client, tutor, world):
    client.force_login(tutor)
    url = reverse("cohorts:queue") + f"?topic={world['topics'][0].pk}"
    response = client.post(url, {"accept": [world["first"].pk, world["stranger"].pk, "junk"]})
    assert response.status_code == 302 and response["Location"] == url
    first = Response.objects.get(pk=world["first"].pk)
    assert first.override_awarded is True and first.override_by == tutor
    # Another tutor's learner's answer cannot be accepted by posting its id.
    assert Response.objects.get(pk=world["stranger"].pk).override_awarded is None
    exemplar = Exemplar.objects.get(response=first)
    assert exemplar.source == Exemplar.Source.QUEUE and exemplar.credited is True
    # Confirmed answers leave the queue; the dashboard count follows.
    assert world["first"] not in client.get(reverse("cohorts:queue")).context["page"].object_list
    assert client.get(reverse("cohorts:dashboard")).context["waiting"] == 1


@pytest.mark.django_db
def test_nothing_ticked_says_so(client, tutor, world):
    client.force_login(tutor)
    response = client.post(reverse("cohorts:queue"), {}, follow=True)
    assert b"Tick the answers whose automatic mark you accept." in response.content


@pytest.mark.django_db
def test_learners_cannot_use_the_queue(client, world):
    client.force_login(world["learner"])
    assert client.post(reverse("cohorts:queue"), {"accept": [world["first"].pk]}).status_code in (
        302,
        403,
        404,
    )
    assert Response.objects.get(pk=world["first"].pk).override_awarded is None


@pytest.mark.django_db
def test_learners_see_an_unconfirmed_mark_as_provisional(client, world):
    client.force_login(world["learner"])
    page = client.get(reverse("assessments:results", args=[world["first"].attempt_id]))
    assert b"provisional: a tutor will confirm this mark" in page.content


@pytest.mark.django_db
def test_accepting_many_answers_to_one_question_relearns_it_once(client, tutor, world, monkeypatch):
    import assessments.services as services

    calls = []
    real = services.relearn_question
    monkeypatch.setattr(
        services,
        "relearn_question",
        lambda *, question: calls.append(question.pk) or real(question=question),
    )
    extra = waiting_answer(world["topics"][0], world["learner"], text="It cuts the power.")
    client.force_login(tutor)
    client.post(reverse("cohorts:queue"), {"accept": [world["first"].pk, extra.pk]})
    assert calls == [world["first"].question_id]
    assert Exemplar.objects.filter(question_id=world["first"].question_id).count() == 2


@pytest.mark.django_db
def test_the_per_point_view_shows_how_far_the_marker_agrees_with_tutors(client, tutor):
    from assessments.services import override_mark
    from assessments.tests.test_exemplar_learning import RCD_POINT
    from assessments.tests.test_exemplars import answer

    topic = TopicFactory(title="Electrical safety")
    MarkingPointFactory(topic=topic, text=RCD_POINT)
    sync_question_bank(topic=topic)
    question = topic.questions.get(kind="short_answer")
    cohort = create_cohort(tutor=tutor, name="Mine")
    marks = {
        "It cuts the power when current leaks to earth, so you are not shocked.": True,
        "It trips off the supply quickly when some current goes to earth.": True,
        "It is a kind of plug.": False,
    }
    responses = []
    for text in marks:
        learner = UserFactory()
        add_member(cohort=cohort, learner=learner)
        responses.append(answer(question, text, learner=learner))
    client.force_login(tutor)
    url = reverse("cohorts:class_view", args=[cohort.pk])
    assert "No tutor marks yet" in client.get(url).content.decode()

    for response, credited in zip(responses, marks.values(), strict=True):
        override_mark(response=response, tutor=tutor, awarded=credited)

    page = client.get(url).content.decode()
    assert "Marker agrees with tutors" in page
    assert "of 3 tutor marks" in page
    assert "No tutor marks yet" not in page
