"""Walk every URL in the project as six people and check what each of them gets.

Adding a URL without adding it to ``EXPECTED`` fails ``test_every_url_is_covered``, so no page
can ship without a decision about who may see it.
"""

import datetime

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments.models import Attempt, Question
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from assignments.services import create_assignment
from cohorts.services import add_member, create_cohort, invite_learner
from notifications.models import Notification
from revision.models import Card
from topics.models import Topic

ROLES = ["anonymous", "learner", "other_learner", "tutor", "other_tutor", "admin"]

# Outcome codes: a status code, or "login" for a redirect to the login page.
OK, FOUND, NOT_FOUND, LOGIN = 200, 302, 404, "login"
PUBLIC = dict.fromkeys(ROLES, OK)
SIGNED_IN = {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], OK)}
OWNER_ONLY = {"anonymous": LOGIN, "learner": OK, **dict.fromkeys(ROLES[2:], NOT_FOUND)}
OWNER_REDIRECT = {"anonymous": LOGIN, "learner": FOUND, **dict.fromkeys(ROLES[2:], NOT_FOUND)}
TUTORS = {
    "anonymous": LOGIN,
    "learner": NOT_FOUND,
    "other_learner": NOT_FOUND,
    "tutor": OK,
    "other_tutor": OK,
    "admin": OK,
}
TUTOR_ACTION = {**TUTORS, "tutor": FOUND, "other_tutor": FOUND, "admin": FOUND}
# Objects in the learner's cohort: only its tutor and admins reach them.
COHORT = {**TUTORS, "other_tutor": NOT_FOUND}
COHORT_ACTION = {**COHORT, "tutor": FOUND, "admin": FOUND}
SIGNED_IN_REDIRECT = {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], FOUND)}
ANONYMOUS_ONLY = {"anonymous": OK, **dict.fromkeys(ROLES[1:], FOUND)}

# url name: (method, kwargs builder, data builder, expected outcome per role)
EXPECTED = {
    "topics:home": ("get", lambda w: {}, None, PUBLIC),
    "topics:search": ("get", lambda w: {}, None, PUBLIC),
    "topics:detail": ("get", lambda w: {"slug": w.topic.slug}, None, PUBLIC),
    "login": ("get", lambda w: {}, None, PUBLIC),
    "logout": ("post", lambda w: {}, None, dict.fromkeys(ROLES, FOUND)),
    "password_change": ("get", lambda w: {}, None, SIGNED_IN),
    "password_change_done": ("get", lambda w: {}, None, SIGNED_IN),
    "password_reset": ("get", lambda w: {}, None, PUBLIC),
    "password_reset_done": ("get", lambda w: {}, None, PUBLIC),
    "password_reset_confirm": (
        "get",
        lambda w: {"uidb64": "MQ", "token": "set-password"},
        None,
        PUBLIC,
    ),
    "password_reset_complete": ("get", lambda w: {}, None, PUBLIC),
    "accounts:signup": ("get", lambda w: {}, None, ANONYMOUS_ONLY),
    "accounts:profile": ("get", lambda w: {}, None, SIGNED_IN),
    "accounts:join": (
        "post",
        lambda w: {},
        lambda w: {"code": "NOPE"},
        {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], FOUND)},
    ),
    "accounts:my_data": ("get", lambda w: {}, None, SIGNED_IN),
    "accounts:delete": ("get", lambda w: {}, None, SIGNED_IN),
    "assessments:home": ("get", lambda w: {}, None, SIGNED_IN),
    "assessments:start": (
        "post",
        lambda w: {},
        lambda w: {"kind": "topic", "topic": w.topic.slug},
        {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], FOUND)},
    ),
    "assessments:progress": ("get", lambda w: {}, None, SIGNED_IN),
    "assessments:question": (
        "get",
        lambda w: {"pk": w.open_attempt.pk, "number": 1},
        None,
        OWNER_ONLY,
    ),
    "assessments:all": ("get", lambda w: {"pk": w.open_attempt.pk}, None, OWNER_ONLY),
    "assessments:review": ("get", lambda w: {"pk": w.open_attempt.pk}, None, OWNER_ONLY),
    "assessments:results": ("get", lambda w: {"pk": w.attempt.pk}, None, OWNER_ONLY),
    "assessments:status": ("get", lambda w: {"pk": w.attempt.pk}, None, OWNER_ONLY),
    "assessments:submit": ("post", lambda w: {"pk": w.attempt.pk}, None, OWNER_REDIRECT),
    "assessments:retry": ("post", lambda w: {"pk": w.attempt.pk}, None, OWNER_REDIRECT),
    "cohorts:dashboard": ("get", lambda w: {}, None, TUTORS),
    "cohorts:queue": ("get", lambda w: {}, None, TUTORS),
    "cohorts:create": ("post", lambda w: {}, lambda w: {"name": "New"}, TUTOR_ACTION),
    "cohorts:detail": ("get", lambda w: {"pk": w.cohort.pk}, None, COHORT),
    "cohorts:class_view": ("get", lambda w: {"pk": w.cohort.pk}, None, COHORT),
    "cohorts:answers": ("get", lambda w: {"pk": w.cohort.pk}, None, COHORT),
    "cohorts:learner": (
        "get",
        lambda w: {"pk": w.cohort.pk, "learner_pk": w.learner.pk},
        None,
        COHORT,
    ),
    "cohorts:export": ("get", lambda w: {"pk": w.cohort.pk, "kind": "answers"}, None, COHORT),
    "cohorts:report": ("get", lambda w: {"pk": w.cohort.pk}, None, COHORT),
    "cohorts:members": ("get", lambda w: {"pk": w.cohort.pk}, None, COHORT),
    "cohorts:add_member": (
        "post",
        lambda w: {"pk": w.cohort.pk},
        lambda w: {"identifier": "nobody"},
        COHORT_ACTION,
    ),
    "cohorts:upload_members": (
        "post",
        lambda w: {"pk": w.cohort.pk},
        lambda w: {"file": SimpleUploadedFile("m.csv", b"nobody\n")},
        COHORT,
    ),
    "cohorts:remove_member": (
        "get",
        lambda w: {"pk": w.cohort.pk, "learner_pk": w.learner.pk},
        None,
        COHORT,
    ),
    "cohorts:regenerate_code": ("get", lambda w: {"pk": w.cohort.pk}, None, COHORT),
    "cohorts:add_tutor": (
        "post",
        lambda w: {"pk": w.cohort.pk},
        lambda w: {"username": "nobody"},
        COHORT_ACTION,
    ),
    "cohorts:override": ("get", lambda w: {"response_pk": w.response.pk}, None, COHORT),
    # Questions tutors write (issue 15): every tutor writes and tries questions; only the
    # question's author (and admins) edits or retires it.
    "authoring:home": ("get", lambda w: {}, None, TUTORS),
    "authoring:topic": ("get", lambda w: {"slug": w.topic.slug}, None, TUTORS),
    "authoring:add": (
        "get",
        lambda w: {"slug": w.topic.slug, "kind": "short_answer"},
        None,
        TUTORS,
    ),
    "authoring:edit": ("get", lambda w: {"pk": w.written.pk}, None, COHORT),
    "authoring:retire": ("get", lambda w: {"pk": w.written.pk}, None, COHORT),
    "authoring:try": ("get", lambda w: {"pk": w.written.pk}, None, TUTORS),
    # Assignments: learners reach their own cohort's, tutors the cohorts they teach.
    "assignments:learner_list": ("get", lambda w: {}, None, SIGNED_IN),
    "assignments:detail": ("get", lambda w: {"pk": w.assignment.pk}, None, OWNER_ONLY),
    "assignments:start": ("post", lambda w: {"pk": w.assignment.pk}, None, OWNER_REDIRECT),
    "assignments:tutor_list": ("get", lambda w: {}, None, TUTORS),
    "assignments:create": ("get", lambda w: {"cohort_pk": w.cohort.pk}, None, COHORT),
    "assignments:tutor_detail": ("get", lambda w: {"pk": w.assignment.pk}, None, COHORT),
    "assignments:edit": ("get", lambda w: {"pk": w.assignment.pk}, None, COHORT),
    "assignments:close": ("get", lambda w: {"pk": w.assignment.pk}, None, COHORT),
    "assignments:delete": ("get", lambda w: {"pk": w.assignment.pk}, None, COHORT),
    "assignments:export": ("get", lambda w: {"pk": w.assignment.pk}, None, COHORT),
    # Notifications: everyone signed in has their own; another's is a 404.
    "notifications:list": ("get", lambda w: {}, None, SIGNED_IN),
    "notifications:read": (
        "post",
        lambda w: {"pk": w.notification.pk},
        None,
        OWNER_REDIRECT,
    ),
    "notifications:read_all": (
        "post",
        lambda w: {},
        None,
        {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], FOUND)},
    ),
    "notifications:email": (
        "post",
        lambda w: {},
        lambda w: {"email_notifications": "on"},
        {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], FOUND)},
    ),
    # A learner's own cohorts and invitations (issue 14): the invitation and the membership
    # belong to "learner"; everyone else gets 404.
    "my_cohorts:list": ("get", lambda w: {}, None, SIGNED_IN),
    "my_cohorts:accept": ("post", lambda w: {"pk": w.invitation.pk}, None, OWNER_REDIRECT),
    "my_cohorts:decline": ("post", lambda w: {"pk": w.invitation.pk}, None, OWNER_REDIRECT),
    "my_cohorts:leave": ("get", lambda w: {"pk": w.cohort.pk}, None, OWNER_ONLY),
    # Revision: every signed-in user has their own Today page and cards (a tutor's is empty
    # unless they revise); a card is its learner's alone.
    "revision:after_login": ("get", lambda w: {}, None, SIGNED_IN_REDIRECT),
    "revision:today": ("get", lambda w: {}, None, SIGNED_IN),
    "revision:due_questions": ("post", lambda w: {}, None, SIGNED_IN_REDIRECT),
    "revision:export": ("get", lambda w: {"fmt": "json"}, None, SIGNED_IN),
    "revision:session": ("get", lambda w: {}, None, SIGNED_IN),
    "revision:rate": (
        "post",
        lambda w: {"pk": w.card.pk},
        lambda w: {"rating": "3", "token": str(w.card.reps)},
        OWNER_REDIRECT,
    ),
    "revision:topics": ("get", lambda w: {}, None, SIGNED_IN),
    "revision:study": ("post", lambda w: {"slug": w.topic.slug}, None, SIGNED_IN_REDIRECT),
}


def _all_url_names(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # walked separately below
            inner = pattern.namespace or namespace
            yield from _all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_covered():
    assert set(_all_url_names()) == set(EXPECTED)


class World:
    """A learner in a tutor's cohort, with a submitted and an open attempt; a second learner
    and a second tutor who teaches a different cohort."""

    def __init__(self, tutor, other_tutor):
        self.topic = Topic.objects.get(source_file__startswith="000")
        self.learner = UserFactory(username="walk-learner")
        self.other_learner = UserFactory(username="walk-other")
        self.tutor, self.other_tutor = tutor, other_tutor
        self.admin = UserFactory(username="walk-admin", is_staff=True, is_superuser=True)
        self.cohort = create_cohort(tutor=tutor, name="Walk cohort")
        add_member(cohort=self.cohort, learner=self.learner)
        other_cohort = create_cohort(tutor=other_tutor, name="Other cohort")
        add_member(cohort=other_cohort, learner=self.other_learner)
        invite_learner(
            cohort=other_cohort, identifier=self.learner.username, invited_by=other_tutor
        )
        self.invitation = self.learner.cohort_invitations.get()
        self.attempt = start_attempt(
            learner=self.learner, kind=Attempt.Kind.TOPIC, topic=self.topic
        )
        submit_attempt(attempt=self.attempt, answers={1: "contact management"})
        self.open_attempt = start_attempt(
            learner=self.learner, kind=Attempt.Kind.TOPIC, topic=self.topic
        )
        self.response = self.attempt.responses.filter(
            question__kind=Question.Kind.SHORT_ANSWER
        ).first()
        self.assignment = create_assignment(
            cohort=self.cohort,
            tutor=tutor,
            title="Walk assignment",
            topics=[self.topic],
            question_count=2,
            opens_at=timezone.now() - datetime.timedelta(hours=1),
            due_at=timezone.now() + datetime.timedelta(days=1),
        )
        self.notification = Notification.objects.get(recipient=self.learner)
        self.written = Question.objects.create(
            topic=self.topic,
            kind=Question.Kind.SHORT_ANSWER,
            prompt="A question the tutor wrote.",
            model_answer="Its model answer.",
            origin=Question.Origin.AUTHORED,
            author=tutor,
        )
        # The submitted quiz made the topic part of the learner's revision.
        self.card = Card.objects.filter(learner=self.learner).first()

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db, seed_bytes, tutor, other_tutor):
    from topics.services import import_seed_bytes

    # One topic is all the walk needs; importing every seed per test would only cost time.
    import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000"))
    return World(tutor, other_tutor)


def _outcome(response):
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_url_outcome_for_each_role(client, world, name, role):
    method, kwargs, data, expected = EXPECTED[name]
    user = world.user(role)
    if user is not None:
        client.force_login(user)

    response = getattr(client, method)(
        reverse(name, kwargs=kwargs(world)), data(world) if data else {}
    )

    assert _outcome(response) == expected[role], f"{name} as {role}"
    if user is not None:
        # Issue 14 item 10: nothing shown to a signed-in person is kept by a browser or proxy.
        cache_control = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= cache_control, f"{name} as {role}: {cache_control}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_site_is_for_staff_only(client, world, role):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    expected_index = OK if role in {"tutor", "other_tutor", "admin"} else FOUND

    assert client.get(reverse("admin:index")).status_code == expected_index
    assert admin.site._registry  # the walk below visits every registered model's changelist
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        status = client.get(url).status_code
        if role == "admin":
            assert status == OK, url
        elif role in {"tutor", "other_tutor"}:
            # Tutors see the question bank and topic content, never learners' answers.
            allowed = model._meta.model_name in {"question", "topic", "markingpoint"}
            assert status == (OK if allowed else 403), url
        else:
            assert status == FOUND, url


# A draft topic (uploaded, not yet published): staff preview it, nobody else finds it.
DRAFT = {
    "topics:detail": {**dict.fromkeys(ROLES, NOT_FOUND), **dict.fromkeys(ROLES[3:], OK)},
    "assessments:start": {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], NOT_FOUND)},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_a_draft_topic_for_each_role(client, world, role):
    Topic.objects.filter(pk=world.topic.pk).update(is_published=False)
    user = world.user(role)
    if user is not None:
        client.force_login(user)

    page = client.get(reverse("topics:detail", kwargs={"slug": world.topic.slug}))
    start = client.post(reverse("assessments:start"), {"kind": "topic", "topic": world.topic.slug})

    assert _outcome(page) == DRAFT["topics:detail"][role]
    assert _outcome(start) == DRAFT["assessments:start"][role]
    # The home page lists published topics only, for everyone (staff find drafts in the admin).
    assert world.topic.title not in client.get(reverse("topics:home")).content.decode()
