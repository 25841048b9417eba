"""Uploaded topics are drafts until an admin publishes them (issue 14 item 18).

A topic uploaded in the admin is hidden from learners and anonymous visitors (home, its page,
search, quizzes) while an admin reviews it, its derived title flagged for review; the
``publish`` action makes it live. ``import_seeds`` (``make run``) still publishes at once.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Attempt
from assessments.services import QuizError, start_attempt
from assessments.tests.factories import UserFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db

# No title line: the title is derived from the synopsis (the probe's shape).
SEED = b"""Topic Synopsis
This subtopic explores how organisations receive, record and respond to customer feedback. It also covers complaints.
Key Concepts
- Feedback loop: listening, acting and telling the customer what changed.
Examiner Marking Points
- Award credit for identifying two channels through which customers give feedback.
- Award credit for explaining why feedback should be recorded.
"""
TITLE = "How organisations receive, record and respond to customer feedback"


def upload(admin_client, data=SEED, name="feedback.txt"):
    return admin_client.post(
        reverse("admin:topics_topic_upload"),
        {"files": [SimpleUploadedFile(name, data, content_type="text/plain")]},
        follow=True,
    )


@pytest.fixture
def draft(admin_client):
    page = upload(admin_client)
    assert page.status_code == 200
    return Topic.objects.get(source_file="feedback.txt")


def test_an_uploaded_topic_is_a_draft_with_its_derived_title_flagged(admin_client, draft):
    assert draft.is_published is False
    assert draft.title == TITLE
    assert draft.title_derived is True
    changelist = admin_client.get(reverse("admin:topics_topic_changelist"))
    html = changelist.content.decode()
    assert TITLE in html
    assert "Draft" in html


def test_the_upload_report_says_the_topic_is_a_draft(admin_client):
    html = upload(admin_client).content.decode()
    assert "draft" in html.casefold()
    assert TITLE in html


def test_a_draft_is_hidden_from_anonymous_visitors_and_learners(client, draft):
    learner = UserFactory()
    for who in (None, learner):
        if who is not None:
            client.force_login(who)
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert TITLE not in client.get(reverse("topics:home")).content.decode()
        search = client.get(reverse("topics:search"), {"q": "feedback"})
        assert search.status_code == 200
        assert TITLE not in search.content.decode()
    quiz_home = client.get(reverse("assessments:home")).content.decode()
    assert TITLE not in quiz_home
    started = client.post(reverse("assessments:start"), {"kind": "topic", "topic": draft.slug})
    assert started.status_code == 404
    with pytest.raises(QuizError):
        start_attempt(learner=learner, kind=Attempt.Kind.MIXED)


def test_staff_can_preview_a_draft_marked_as_such(admin_client, draft):
    page = admin_client.get(draft.get_absolute_url())
    assert page.status_code == 200
    assert "Draft: not visible to learners" in page.content.decode()


def test_publishing_makes_it_live_everywhere(admin_client, client, draft):
    reply = admin_client.post(
        reverse("admin:topics_topic_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Published 1 topic" in reply.content.decode()
    draft.refresh_from_db()
    assert draft.is_published is True
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert TITLE in client.get(reverse("topics:home")).content.decode()
    assert TITLE in client.get(reverse("topics:search"), {"q": "feedback"}).content.decode()
    learner = UserFactory()
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.MIXED)
    assert attempt.responses.filter(question__topic=draft).exists()
    # Publishing is in the topic's history: who and when.
    assert draft.history.filter(is_published=True).exists()


def test_unpublishing_hides_it_again(admin_client, client, draft):
    Topic.objects.filter(pk=draft.pk).update(is_published=True)
    admin_client.post(
        reverse("admin:topics_topic_changelist"),
        {"action": "unpublish", "_selected_action": [draft.pk]},
    )
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_editing_the_title_in_the_admin_clears_the_review_flag(admin_client, draft):
    url = reverse("admin:topics_topic_change", args=[draft.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for index, inline_form in enumerate(formset.forms):
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                key = f"{formset.prefix}-{index}-{name}"
                if hasattr(value, "pk"):
                    value = value.pk
                if value not in (None, False):
                    data[key] = value
    data["title"] = "Customer feedback"

    reply = admin_client.post(url, data)

    assert reply.status_code == 302, reply.context["adminform"].form.errors
    draft.refresh_from_db()
    assert (draft.title, draft.title_derived) == ("Customer feedback", False)
    assert draft.is_published is False  # a title edit does not publish


def test_re_uploading_a_published_topic_keeps_it_published(admin_client, draft):
    Topic.objects.filter(pk=draft.pk).update(is_published=True)
    upload(admin_client, data=SEED.replace(b"two channels", b"three channels"))
    draft.refresh_from_db()
    assert draft.is_published is True


def test_import_seeds_publishes_at_once_as_before(seeds_dir):
    call_command("import_seeds", str(seeds_dir))
    assert Topic.objects.count() == 5
    assert not Topic.objects.filter(is_published=False).exists()


def test_a_dry_run_upload_says_it_would_be_a_draft_and_links_nowhere(admin_client):
    page = admin_client.post(
        reverse("admin:topics_topic_upload"),
        {
            "files": [SimpleUploadedFile("feedback.txt", SEED, content_type="text/plain")],
            "dry_run": "on",
        },
    )
    html = page.content.decode()
    assert "would be a draft, its title made from the synopsis" in html
    assert "/admin/topics/topic/" not in html.split('id="import-report"', 1)[1]
    assert not Topic.objects.exists()
