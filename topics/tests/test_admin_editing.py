"""Editing a topic in the admin as a tutor or editor would: the page in parts, Up/Down
ordering, the Retired tick and action, the Markdown preview and "View on site"."""

from unittest import mock

import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from assessments.models import Question
from assessments.tests.factories import AttemptFactory, ResponseFactory, UserFactory
from topics.markdown_preview import PREVIEW_MAX_CHARS
from topics.models import KeyConcept, MarkingPoint, Topic
from topics.services import import_seed_bytes
from topics.tests.factories import KeyConceptFactory, MarkingPointFactory

pytestmark = pytest.mark.django_db

SEED_NAME = "000_7ea13c0c7803a35f.txt"


@pytest.fixture
def topic(seed_bytes) -> Topic:
    import_seed_bytes(source_name=SEED_NAME, data=seed_bytes("000"))
    return Topic.objects.get(source_file=SEED_NAME)


@pytest.fixture
def editor(db):
    """Staff who may edit topic content, without being a superuser."""
    user = UserFactory(username="eddie-editor", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="topics").exclude(
            codename="delete_topic"
        ),
        *Permission.objects.filter(codename="view_question"),
    )
    return user


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def _form_values(form) -> dict:
    """What a browser would post for ``form`` as drawn (ticked boxes only)."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = value
    return data


def page_data(response) -> dict:
    """Every field of an admin change page (its form and each inline) as the page shows it."""
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_form_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_form_values(form))
    return data


def _marking_points_url(topic) -> str:
    return reverse("admin:topics_topic_marking_points", args=[topic.pk])


def _change_url(topic) -> str:
    return reverse("admin:topics_topic_change", args=[topic.pk])


def _answered(point: MarkingPoint):
    """A learner's marked answer to the question generated from ``point``."""
    question = Question.objects.get(marking_point=point)
    return ResponseFactory(
        attempt=AttemptFactory(topic=point.topic),
        question=question,
        answer_text="Loyal customers come back and spend more.",
        awarded=True,
        score=1,
        max_score=1,
    )


def test_topic_page_is_in_parts_with_folded_sections_and_no_position_numbers(editor_client, topic):
    response = editor_client.get(_change_url(topic))

    html = response.content.decode()
    assert response.status_code == 200
    concepts = topic.key_concepts.count()
    assert concepts > 3
    # Folded (a <details> works without JavaScript), with a count and the first entries.
    assert html.count("<details>") >= 6
    first = topic.key_concepts.order_by("position", "id").first()
    assert f'Key concepts\n    <span class="inline-summary">({concepts}: {first.term}' in html
    assert "-position" not in html
    question_list = reverse("admin:assessments_question_changelist")
    assert (
        f'href="{question_list}?topic__id__exact={topic.pk}">Questions ({topic.questions.count()})'
        in html
    )
    points = topic.marking_points.count()
    assert f'href="{_marking_points_url(topic)}">Marking points ({points})' in html


def test_marking_points_page_has_the_points_a_retired_tick_and_the_warning(editor_client, topic):
    response = editor_client.get(_marking_points_url(topic))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Marking points: {topic.title}" in html
    assert 'name="marking_points-TOTAL_FORMS"' in html
    assert 'name="key_concepts-TOTAL_FORMS"' not in html
    assert 'name="title"' not in html
    assert 'name="marking_points-0-retired"' in html
    assert "-retired_at" not in html and "-position" not in html
    assert "stay linked to it" in html
    assert 'aria-current="page">Marking points' in html


def test_up_saves_every_edit_then_moves_the_entry_and_announces_the_change_once(
    editor_client, topic
):
    first, second = topic.key_concepts.order_by("position", "id")[:2]
    data = page_data(editor_client.get(_change_url(topic)))
    data["synopsis"] = "An edited synopsis with **bold** words."
    data["key_concepts-1-explanation"] = "Edited just before pressing Up."
    data["_move"] = f"key_concepts-{second.pk}-up"

    with mock.patch("topics.admin.topic_content_changed") as announced:
        response = editor_client.post(_change_url(topic), data)

    assert response.status_code == 302
    assert response["Location"] == f"{_change_url(topic)}?open=key_concepts#key_concepts-group"
    assert announced.call_count == 1
    topic.refresh_from_db()
    assert topic.synopsis == "An edited synopsis with **bold** words."
    order = list(topic.key_concepts.order_by("position", "id"))
    assert order[:2] == [second, first]
    assert order[0].explanation == "Edited just before pressing Up."
    # The section moved is shown unfolded after the redirect.
    html = editor_client.get(response["Location"]).content.decode()
    assert "moved up" in html
    assert html.count("<details>") == 6  # five other sections and the import record


def test_moving_and_retiring_marking_points_keep_learners_answers_linked(editor_client, topic):
    points = list(topic.marking_points.order_by("position", "id"))
    moved, retired = points[1], points[2]
    moved_answer, retired_answer = _answered(moved), _answered(retired)
    data = page_data(editor_client.get(_marking_points_url(topic)))
    data["_move"] = f"marking_points-{moved.pk}-up"
    data["marking_points-2-retired"] = "on"

    response = editor_client.post(_marking_points_url(topic), data)

    assert response.status_code == 302
    assert response["Location"].startswith(_marking_points_url(topic))
    order = list(topic.marking_points.order_by("position", "id"))
    assert order[:3] == [moved, points[0], retired]
    retired.refresh_from_db()
    assert retired.retired_at is not None
    for answer, point in [(moved_answer, moved), (retired_answer, retired)]:
        answer.refresh_from_db()
        answer.question.refresh_from_db()
        assert answer.question.marking_point_id == point.pk
        assert (answer.awarded, answer.score, answer.max_score) == (True, 1, 1)
    # The retired point's question is withdrawn from new quizzes; the moved one's follows it.
    assert retired_answer.question.is_active is False
    assert moved_answer.question.is_active is True
    assert moved_answer.question.position < Question.objects.get(marking_point=points[0]).position

    # Unticking brings the point and its question back, with the same answers.
    data = page_data(editor_client.get(_marking_points_url(topic)))
    data.pop("marking_points-2-retired")
    data["_continue"] = "Save and continue editing"
    assert editor_client.post(_marking_points_url(topic), data).status_code == 302
    retired.refresh_from_db()
    retired_answer.question.refresh_from_db()
    assert retired.retired_at is None
    assert retired_answer.question.is_active is True
    assert retired_answer.question.marking_point_id == retired.pk


def test_ticking_retired_again_keeps_the_first_retirement_date(editor_client, topic):
    point = topic.marking_points.order_by("position", "id").first()
    data = page_data(editor_client.get(_marking_points_url(topic)))
    data["marking_points-0-retired"] = "on"
    editor_client.post(_marking_points_url(topic), data)
    point.refresh_from_db()
    first_date = point.retired_at

    data = page_data(editor_client.get(_marking_points_url(topic)))
    assert data["marking_points-0-retired"] == "on"
    data["marking_points-0-text"] = point.text + " Edited."
    editor_client.post(_marking_points_url(topic), data)

    point.refresh_from_db()
    assert point.retired_at == first_date
    assert point.text.endswith("Edited.")


def test_an_entry_added_by_hand_goes_to_the_end(editor_client, topic):
    data = page_data(editor_client.get(_change_url(topic)))
    extra = topic.key_concepts.count()  # the blank row's index
    data[f"key_concepts-{extra}-term"] = "Brand advocacy"
    data[f"key_concepts-{extra}-explanation"] = "Customers recommending the brand."
    data["_continue"] = "Save and continue editing"

    assert editor_client.post(_change_url(topic), data).status_code == 302

    assert list(topic.key_concepts.order_by("position", "id"))[-1].term == "Brand advocacy"


def test_a_move_with_a_form_error_saves_and_moves_nothing(editor_client, topic):
    first, second = topic.key_concepts.order_by("position", "id")[:2]
    data = page_data(editor_client.get(_change_url(topic)))
    data["title"] = ""
    data["_move"] = f"key_concepts-{second.pk}-up"

    response = editor_client.post(_change_url(topic), data)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert list(topic.key_concepts.order_by("position", "id"))[:2] == [first, second]


@pytest.mark.parametrize(
    "value", ["key_concepts-999999-up", "key_concepts-abc-up", "nonsense", "exam_tips-1-sideways"]
)
def test_a_hand_edited_move_saves_and_moves_nothing(editor_client, topic, value):
    before = list(KeyConcept.objects.filter(topic=topic).order_by("position", "id"))
    data = page_data(editor_client.get(_change_url(topic)))
    data["_move"] = value

    response = editor_client.post(_change_url(topic), data, follow=True)

    assert response.status_code == 200
    assert list(KeyConcept.objects.filter(topic=topic).order_by("position", "id")) == before


def test_a_tutor_sees_marking_points_read_only_and_cannot_move_them(client, tutor, topic):
    client.force_login(tutor)
    point = topic.marking_points.order_by("position", "id").last()

    page = client.get(_marking_points_url(topic))
    post = client.post(_marking_points_url(topic), {"_move": f"marking_points-{point.pk}-up"})

    assert page.status_code == 200
    assert 'name="_move"' not in page.content.decode()
    assert post.status_code == 403


def test_retire_action_asks_first_then_retires_and_keeps_answers(editor_client, topic):
    point = topic.marking_points.order_by("position", "id").first()
    answer = _answered(point)
    changelist = reverse("admin:topics_markingpoint_changelist")
    selection = {"action": "retire_selected", "_selected_action": [point.pk]}

    asked = editor_client.post(changelist, selection)

    assert asked.status_code == 200
    assert "stay linked to it" in asked.content.decode()
    point.refresh_from_db()
    assert point.retired_at is None

    done = editor_client.post(changelist, {**selection, "confirm": "yes"})

    assert done.status_code == 302
    point.refresh_from_db()
    answer.refresh_from_db()
    assert point.retired_at is not None
    assert answer.question.marking_point_id == point.pk and answer.score == 1
    assert Question.objects.get(pk=answer.question_id).is_active is False


def test_fields_show_their_markdown_preview_when_the_page_loads(editor_client, topic):
    Topic.objects.filter(pk=topic.pk).update(synopsis="Keep **loyal** customers.")

    html = editor_client.get(_change_url(topic)).content.decode()

    assert (
        '<div class="markdown-preview-body"><p>Keep <strong>loyal</strong> customers.</p>' in html
    )
    assert "js/markdown_preview.js" in html


def test_preview_renders_like_the_site_and_removes_scripts(editor_client):
    url = reverse("admin:topics_markdown_preview")
    text = "A *tip* <script>alert(1)</script> [x](javascript:alert(2)) <b onclick=x()>b</b>"

    block = editor_client.post(url, {"text": text, "mode": "block"})
    inline = editor_client.post(url, {"text": text, "mode": "inline"})

    assert block.status_code == 200
    html = block.json()["html"]
    assert html.startswith("<p>A <em>tip</em>")
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert not inline.json()["html"].startswith("<p>")


def test_preview_refuses_text_over_the_limit_with_a_message(editor_client):
    response = editor_client.post(
        reverse("admin:topics_markdown_preview"), {"text": "a" * (PREVIEW_MAX_CHARS + 1)}
    )

    assert response.status_code == 400
    assert "limited to 20,000 characters" in response.json()["error"]


def test_preview_is_for_staff_only_by_post_with_a_csrf_token(client, editor):
    url = reverse("admin:topics_markdown_preview")
    learner = UserFactory(username="lenny-learner")

    assert client.post(url, {"text": "x"}).status_code == 302  # to the admin's login
    client.force_login(learner)
    assert client.post(url, {"text": "x"}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(url, {"text": "x"}).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("model", ["topic", "markingpoint"])
def test_view_on_site_leads_to_the_topic_page(editor_client, topic, model):
    obj = topic if model == "topic" else topic.marking_points.first()
    change = editor_client.get(reverse(f"admin:topics_{model}_change", args=[obj.pk]))
    link = change.context["original"] and reverse(
        "admin:view_on_site",
        args=[change.context["content_type_id"], obj.pk],
    )

    assert link in change.content.decode()
    response = editor_client.get(link)
    assert response.status_code == 302
    assert response["Location"].endswith(obj.get_absolute_url())
    assert editor_client.get(topic.get_absolute_url()).status_code == 200


# Session, user, the topic (twice: once for the parts' links, once by the change form), the
# marking points' counts, the user's permissions (user and group), the questions' count, then
# per part: content, its six sections and the qualifications for the dropdown; marking points,
# the points.
TOPIC_PAGE_QUERIES = {"content": 15, "marking_points": 9}


@pytest.mark.parametrize("part", ["content", "marking_points"])
def test_topic_pages_make_as_many_queries_for_a_big_topic_as_for_a_small_one(
    editor_client, topic, part, django_assert_num_queries
):
    url = _change_url(topic) if part == "content" else _marking_points_url(topic)
    editor_client.get(url)  # the first request fills per-process caches (content types)

    with django_assert_num_queries(TOPIC_PAGE_QUERIES[part]):
        assert editor_client.get(url).status_code == 200
    for n in range(20):
        KeyConceptFactory(topic=topic)
        MarkingPointFactory(topic=topic, text=f"Award credit for naming factor {n}.")
    with django_assert_num_queries(TOPIC_PAGE_QUERIES[part]):
        assert editor_client.get(url).status_code == 200


def test_a_tutor_sees_the_topic_page_read_only(client, tutor, topic):
    client.force_login(tutor)

    response = client.get(_change_url(topic))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_move"' not in html and 'name="synopsis"' not in html
    assert "Marking points (" in html


def test_the_marking_point_page_retires_with_a_tick_and_says_what_happens(editor_client, topic):
    point = topic.marking_points.order_by("position", "id").first()
    answer = _answered(point)
    url = reverse("admin:topics_markingpoint_change", args=[point.pk])

    page = editor_client.get(url).content.decode()
    response = editor_client.post(url, {"topic": topic.pk, "text": point.text, "retired": "on"})

    assert 'name="retired"' in page and 'name="retired_at"' not in page
    assert "Learners' answers and marks are kept and stay linked to it" in page
    assert response.status_code == 302
    point.refresh_from_db()
    answer.refresh_from_db()
    assert point.retired_at is not None
    assert answer.question.marking_point_id == point.pk and answer.score == 1
    assert Question.objects.get(pk=answer.question_id).is_active is False


def test_a_point_added_on_its_own_page_goes_to_the_end_of_its_topic(editor_client, topic):
    response = editor_client.post(
        reverse("admin:topics_markingpoint_add"),
        {"topic": topic.pk, "text": "Award credit for naming a loyalty scheme."},
    )

    assert response.status_code == 302
    last = topic.marking_points.order_by("position", "id").last()
    assert last.text == "Award credit for naming a loyalty scheme."


def test_a_dragged_order_is_saved_after_the_edits(editor_client, topic):
    tips = list(topic.exam_tips.order_by("position", "id"))
    data = page_data(editor_client.get(_change_url(topic)))
    data["exam_tips-0-text"] = "Edited before dragging."
    data["_order-exam_tips"] = ",".join(str(tip.pk) for tip in reversed(tips))
    data["_continue"] = "Save and continue editing"

    response = editor_client.post(_change_url(topic), data, follow=True)

    assert "Saved the new order of exam tips." in response.content.decode()
    order = list(topic.exam_tips.order_by("position", "id"))
    assert order == list(reversed(tips))
    assert order[-1].text == "Edited before dragging."


@pytest.mark.parametrize("value", ["1,2", "abc", "", "{0},{0},{1}"])
def test_a_dragged_order_that_is_not_the_sections_rows_changes_nothing(editor_client, topic, value):
    tips = list(topic.exam_tips.order_by("position", "id"))
    data = page_data(editor_client.get(_change_url(topic)))
    data["_order-exam_tips"] = value.format(*(tip.pk for tip in tips))
    data["_continue"] = "Save and continue editing"

    response = editor_client.post(_change_url(topic), data, follow=True)

    assert "new order" not in response.content.decode()
    assert list(topic.exam_tips.order_by("position", "id")) == tips


def test_a_new_topic_is_written_with_its_marking_points_in_one_go(editor_client):
    add = reverse("admin:topics_topic_add")
    data = page_data(editor_client.get(add))
    data.update(
        {
            "title": "Handling complaints",
            "slug": "handling-complaints",
            "synopsis": "How to turn a complaint into loyalty.",
            "marking_points-0-text": "Award credit for naming an escalation route.",
        }
    )

    response = editor_client.post(add, data)

    assert response.status_code == 302
    topic = Topic.objects.get(slug="handling-complaints")
    assert [point.text for point in topic.marking_points.all()] == [
        "Award credit for naming an escalation route."
    ]
    assert topic.questions.filter(marking_point__isnull=False).count() == 1
