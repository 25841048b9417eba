"""Assignments: setting, starting within dates and attempts, submitting (late flagged), the
tutor's report and its CSV export, editing, closing and deleting. The clock is fixed by
replacing ``django.utils.timezone.now``, which the services, model defaults and selectors all
read."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt
from assessments.services import submit_attempt
from assessments.tests.factories import UserFactory
from assignments import selectors, services
from assignments.exports import assignment_rows
from assignments.models import Assignment, AssignmentAttempt
from cohorts.exports import csv_lines
from cohorts.services import add_member, create_cohort
from notifications.models import Notification
from topics.models import Topic

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class Clock:
    def __init__(self, monkeypatch, start):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, T0)


@pytest.fixture
def topic(db, seed_bytes):
    from topics.services import import_seed_bytes

    import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000"))
    return Topic.objects.get(source_file__startswith="000")


@pytest.fixture
def class_of_three(tutor, topic):
    cohort = create_cohort(tutor=tutor, name="Level 3 Tuesday")
    learners = [UserFactory(username=name) for name in ("ana", "bo", "cy")]
    for learner in learners:
        add_member(cohort=cohort, learner=learner)
    return cohort, learners


def set_assignment(cohort, tutor, topic, clock, **overrides):
    values = {
        "cohort": cohort,
        "tutor": tutor,
        "title": "Retention week",
        "topics": [topic],
        "question_count": 4,
        "opens_at": clock.now,
        "due_at": clock.now + datetime.timedelta(days=2),
        "attempts_allowed": 1,
        "seed": 7,
    }
    values.update(overrides)
    return services.create_assignment(**values)


def test_an_assignment_fixes_the_same_questions_for_every_learner(
    tutor, topic, class_of_three, clock
):
    cohort, (ana, bo, _cy) = class_of_three
    assignment = set_assignment(cohort, tutor, topic, clock)

    first = services.start_assignment_attempt(assignment=assignment, learner=ana)
    second = services.start_assignment_attempt(assignment=assignment, learner=bo)

    asked = list(assignment.items.order_by("position").values_list("question_id", flat=True))
    assert len(asked) == 4
    assert list(first.responses.values_list("question_id", flat=True)) == asked
    assert list(second.responses.values_list("question_id", flat=True)) == asked
    assert first.title == "Assignment: Retention week"


def test_chosen_marking_points_are_always_asked(tutor, topic, class_of_three, clock):
    cohort, _ = class_of_three
    point = topic.marking_points.active().order_by("position").last()
    assignment = set_assignment(
        cohort, tutor, topic, clock, topics=[], marking_points=[point], question_count=5
    )
    questions = [item.question for item in assignment.items.select_related("question")]
    assert [q.marking_point_id for q in questions] == [point.pk]
    assert assignment.question_count == 1  # only what the pool holds


def test_life_cycle_with_due_dates_late_flags_and_attempt_limits(
    tutor, topic, class_of_three, clock
):
    cohort, (ana, bo, cy) = class_of_three
    assignment = set_assignment(
        cohort,
        tutor,
        topic,
        clock,
        opens_at=T0 + datetime.timedelta(hours=1),
        due_at=T0 + datetime.timedelta(days=1),
        attempts_allowed=2,
    )

    # Not open yet.
    with pytest.raises(services.AssignmentError, match="opens on"):
        services.start_assignment_attempt(assignment=assignment, learner=ana)
    clock.advance(hours=2)

    # Ana starts; starting again continues the same attempt.
    attempt = services.start_assignment_attempt(assignment=assignment, learner=ana)
    assert services.start_assignment_attempt(assignment=assignment, learner=ana) == attempt
    report = selectors.assignment_report(assignment)
    assert {r.learner.username: r.status for r in report.rows} == {
        "ana": "in progress",
        "bo": "not started",
        "cy": "not started",
    }

    # Ana submits on time; Bo submits after the due date.
    submit_attempt(attempt=attempt, answers={1: "contact management, interaction tracking"})
    bo_attempt = services.start_assignment_attempt(assignment=assignment, learner=bo)
    clock.advance(days=1)
    submit_attempt(attempt=bo_attempt)

    report = selectors.assignment_report(assignment)
    rows = {r.learner.username: r for r in report.rows}
    assert rows["ana"].status == "submitted" and not rows["ana"].late
    assert rows["bo"].status == "submitted" and rows["bo"].late
    assert rows["cy"].status == "not started"
    assert rows["ana"].marked and rows["ana"].total == 4
    assert report.counts == {
        "members": 3,
        "started": 2,
        "submitted": 2,
        "late": 1,
        "not_started": 1,
        "in_progress": 0,
    }
    assert sum(q.answered for q in report.questions) == 8

    # The learner's own view: Cy is overdue and listed first; Bo's submission is late.
    mine = selectors.assignments_for_learner(cy)
    assert [(a.title, a.status, a.overdue) for a in mine] == [("Retention week", "overdue", True)]
    assert selectors.assignments_for_learner(bo)[0].status == "submitted late"

    # A second attempt is allowed; a third is not.
    services.start_assignment_attempt(assignment=assignment, learner=ana)
    second = AssignmentAttempt.objects.get(assignment=assignment, learner=ana, number=2)
    submit_attempt(attempt=second.attempt)
    with pytest.raises(services.AssignmentError, match="used all 2 attempts"):
        services.start_assignment_attempt(assignment=assignment, learner=ana)
    # The latest submission counts (and it was late).
    row = next(r for r in selectors.assignment_report(assignment).rows if r.learner == ana)
    assert row.attempt_id == second.attempt_id and row.late and row.attempts_used == 2

    # Closed: no new attempts, whatever the dates.
    assert services.close_assignment(assignment=assignment)
    assignment.refresh_from_db()
    with pytest.raises(services.AssignmentError, match="closed"):
        services.start_assignment_attempt(assignment=assignment, learner=cy)
    assert selectors.assignments_for_learner(cy) == []
    assert [a.pk for a in selectors.past_assignments_for_learner(cy)] == [assignment.pk]


def test_overdue_assignments_come_first_then_by_due_date(tutor, topic, class_of_three, clock):
    cohort, (ana, _bo, _cy) = class_of_three
    later = set_assignment(
        cohort, tutor, topic, clock, title="Later", due_at=T0 + datetime.timedelta(days=5)
    )
    sooner = set_assignment(
        cohort, tutor, topic, clock, title="Sooner", due_at=T0 + datetime.timedelta(days=2)
    )
    past = set_assignment(
        cohort,
        tutor,
        topic,
        clock,
        title="Past",
        opens_at=T0 - datetime.timedelta(days=3),
        due_at=T0 - datetime.timedelta(days=1),
    )
    assert [a.pk for a in selectors.assignments_for_learner(ana)] == [past.pk, sooner.pk, later.pk]


def test_a_learner_outside_the_cohort_cannot_start(tutor, topic, class_of_three, clock):
    cohort, _ = class_of_three
    assignment = set_assignment(cohort, tutor, topic, clock)
    with pytest.raises(services.AssignmentError, match="another cohort"):
        services.start_assignment_attempt(assignment=assignment, learner=UserFactory())


def test_bad_dates_and_counts_are_refused_with_a_message(tutor, topic, class_of_three, clock):
    cohort, _ = class_of_three
    with pytest.raises(services.AssignmentError, match="due date must be after"):
        set_assignment(cohort, tutor, topic, clock, due_at=clock.now)
    with pytest.raises(services.AssignmentError, match="between 1 and"):
        set_assignment(cohort, tutor, topic, clock, attempts_allowed=0)
    with pytest.raises(services.AssignmentError, match="at least one topic"):
        set_assignment(cohort, tutor, topic, clock, topics=[])
    assert not Assignment.objects.exists()


def test_setting_an_assignment_notifies_the_cohort_once(tutor, topic, class_of_three, clock):
    cohort, learners = class_of_three
    assignment = set_assignment(cohort, tutor, topic, clock)
    assert Notification.objects.filter(
        kind=Notification.Kind.ASSIGNMENT_SET, object_id=assignment.pk
    ).count() == len(learners)

    services.delete_assignment(assignment=assignment)
    assert not Notification.objects.filter(object_id=assignment.pk).exists()
    # The learners' attempts are kept when an assignment is deleted.


def test_deleting_keeps_the_learners_attempts(tutor, topic, class_of_three, clock):
    cohort, (ana, _bo, _cy) = class_of_three
    assignment = set_assignment(cohort, tutor, topic, clock)
    attempt = services.start_assignment_attempt(assignment=assignment, learner=ana)
    services.delete_assignment(assignment=assignment)
    assert Attempt.objects.filter(pk=attempt.pk).exists()


def test_csv_export_has_a_row_per_answer_and_neutralises_formulas(
    tutor, topic, class_of_three, clock
):
    cohort, (ana, bo, _cy) = class_of_three
    assignment = set_assignment(
        cohort, tutor, topic, clock, due_at=T0 + datetime.timedelta(hours=1)
    )
    attempt = services.start_assignment_attempt(assignment=assignment, learner=ana)
    submit_attempt(attempt=attempt, answers={1: '=HYPERLINK("http://x")'})
    services.start_assignment_attempt(assignment=assignment, learner=bo)

    text = "".join(csv_lines(assignment_rows(assignment)))
    rows = list(csv.DictReader(io.StringIO(text)))
    by_user = {}
    for row in rows:
        by_user.setdefault(row["username"], []).append(row)
    assert len(by_user["ana"]) == 4
    assert by_user["ana"][0]["answer"].startswith("'=")
    assert by_user["ana"][0]["late"] == "0"
    assert [r["status"] for r in by_user["bo"]] == ["in progress"]
    assert [r["status"] for r in by_user["cy"]] == ["not started"]


def test_tutor_pages_set_edit_close_and_delete(client, tutor, topic, class_of_three, clock):
    cohort, _ = class_of_three
    client.force_login(tutor)
    url = reverse("assignments:create", kwargs={"cohort_pk": cohort.pk})
    assert client.get(url).status_code == 200

    bad = client.post(
        url,
        {
            "title": "X",
            "topics": [topic.pk],
            "question_count": 3,
            "opens_at": "2026-03-02T10:00",
            "due_at": "2026-03-01T10:00",
            "attempts_allowed": 1,
        },
    )
    assert bad.status_code == 200
    assert "must be after" in bad.content.decode()

    response = client.post(
        url,
        {
            "title": "Week 1",
            "topics": [topic.pk],
            "question_count": 3,
            "opens_at": "2026-03-02T10:00",
            "due_at": "2026-03-09T10:00",
            "attempts_allowed": 2,
        },
    )
    assignment = Assignment.objects.get(title="Week 1")
    assert response.status_code == 302 and response["Location"] == assignment.tutor_url()
    assert assignment.question_count == 3

    page = client.get(assignment.tutor_url())
    assert page.status_code == 200 and "3</strong> not started" in page.content.decode()

    edit_url = reverse("assignments:edit", kwargs={"pk": assignment.pk})
    client.post(
        edit_url,
        {
            "title": "Week 1 (revised)",
            "opens_at": "2026-03-02T10:00",
            "due_at": "2026-03-10T10:00",
            "attempts_allowed": 3,
        },
    )
    assignment.refresh_from_db()
    assert (assignment.title, assignment.attempts_allowed) == ("Week 1 (revised)", 3)

    close_url = reverse("assignments:close", kwargs={"pk": assignment.pk})
    assert "Close “Week 1 (revised)”?" in client.get(close_url).content.decode()
    client.post(close_url)
    assignment.refresh_from_db()
    assert assignment.closed_at is not None

    delete_url = reverse("assignments:delete", kwargs={"pk": assignment.pk})
    assert client.get(delete_url).status_code == 200
    assert Assignment.objects.filter(pk=assignment.pk).exists()  # a GET deletes nothing
    client.post(delete_url)
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_learner_starts_from_the_assignment_page(client, tutor, topic, class_of_three, clock):
    cohort, (ana, _bo, _cy) = class_of_three
    assignment = set_assignment(
        cohort, tutor, topic, clock, opens_at=T0 + datetime.timedelta(hours=1)
    )
    client.force_login(ana)
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert "opens on" in page and "Start the assignment" not in page
    refused = client.post(reverse("assignments:start", kwargs={"pk": assignment.pk}), follow=True)
    assert "opens on" in refused.content.decode()

    clock.advance(hours=2)
    response = client.post(reverse("assignments:start", kwargs={"pk": assignment.pk}))
    attempt = AssignmentAttempt.objects.get(learner=ana).attempt
    assert response["Location"] == reverse(
        "assessments:question", kwargs={"pk": attempt.pk, "number": 1}
    )
    listing = client.get(reverse("assignments:learner_list")).content.decode()
    assert "Retention week" in listing and "in progress" in listing and "Continue" in listing


def test_tutor_page_query_count_is_the_same_for_few_and_many_learners(
    client, tutor, topic, clock, django_assert_num_queries
):
    """session, user, groups with the unread count, assignment (with cohort), cohort counts,
    member count, member page, their attempts, their scores, questions, per-question figures."""
    cohort = create_cohort(tutor=tutor, name="Growing")
    assignment = set_assignment(cohort, tutor, topic, clock)
    client.force_login(tutor)

    def add_learners(count, start):
        for n in range(start, start + count):
            learner = UserFactory(username=f"grow{n}")
            add_member(cohort=cohort, learner=learner)
            attempt = services.start_assignment_attempt(assignment=assignment, learner=learner)
            if n % 2:
                submit_attempt(attempt=attempt, answers={1: "contact management"})

    add_learners(3, 0)
    with django_assert_num_queries(11):
        assert client.get(assignment.tutor_url()).status_code == 200
    add_learners(30, 3)
    with django_assert_num_queries(11):
        page = client.get(assignment.tutor_url())
    assert page.status_code == 200
    assert "16</strong> submitted" in page.content.decode()


def test_learner_list_query_count_is_constant(
    client, tutor, topic, class_of_three, clock, django_assert_num_queries
):
    """session, user, current assignments, closed assignments, unread count with groups."""
    cohort, (ana, _bo, _cy) = class_of_three
    client.force_login(ana)
    set_assignment(cohort, tutor, topic, clock)
    with django_assert_num_queries(5):
        client.get(reverse("assignments:learner_list"))
    for n in range(8):
        assignment = set_assignment(cohort, tutor, topic, clock, title=f"A{n}")
        services.start_assignment_attempt(assignment=assignment, learner=ana)
    with django_assert_num_queries(5):
        page = client.get(reverse("assignments:learner_list"))
    assert page.content.decode().count("in progress") == 8
