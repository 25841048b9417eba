import csv
import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.services import make_tutor, register_learner
from assessments.models import Attempt
from assessments.services import save_answers, start_attempt, submit_attempt
from assignments.models import Assignment
from assignments.services import AssignmentError, create_assignment, start_assignment_attempt
from cohorts.models import Cohort
from cohorts.services import add_member
from revision.history import give_review_history
from topics.models import Topic

# Local development only: the command refuses to run with DEBUG off, so these never reach a
# deployment. They are printed by `make run` so a developer can sign in straight away.
DEMO_PASSWORDS = {
    "admin": "demo-admin-pass",
    "tutor": "demo-tutor-pass",
    "learner": "demo-learner-pass",
}
# Demo learners, and how well each answers: the share of questions they answer creditably.
DEMO_LEARNERS = [
    ("demo-amira", "Amira", "Khan", 1.0),
    ("demo-ben", "Ben", "Okafor", 0.5),
    ("demo-chloe", "Chloe", "Evans", 0.2),
    ("demo-dev", "Dev", "Patel", None),  # has not started yet
]
DEMO_COHORT = "Demo cohort (demo data)"
DEMO_ASSIGNMENT = "Customer retention check (demo data)"
# Hand-written, human-marked answers to the seed topics' marking points: realistic material
# for the demo learners' attempts.
ANSWERS_FILE = settings.BASE_DIR / "assessments" / "tests" / "data" / "labelled_answers.csv"


class Command(BaseCommand):
    help = (
        "Create (or reset) demo accounts admin, tutor and learner, and a demo cohort of learners "
        "with varied quiz attempts, for local development. Prints the passwords. Refuses to run "
        "when DEBUG is off."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for local development only and are not created when DEBUG is "
                "off. Create real accounts with `manage.py createsuperuser` and the admin."
            )
        with transaction.atomic():
            self._account("admin", superuser=True)
            tutor = self._account("tutor")
            make_tutor(user=tutor)
            learner = self._account("learner")
            cohort = self._cohort(tutor)
            add_member(cohort=cohort, learner=learner, added_by=tutor)
            created_attempts = self._demo_learners(cohort, tutor)
            assignment = self._demo_assignment(cohort, tutor)
            # A few weeks of flashcard reviews, so the Today page has cards due and a forecast.
            reviews = give_review_history(
                learner=learner, topics=Topic.objects.order_by("source_file")[:3]
            )
        self.stdout.write("Demo accounts (local use only, DEBUG on):")
        for username, password in DEMO_PASSWORDS.items():
            self.stdout.write(f"  {username:<8} password: {password}")
        self.stdout.write(
            f"Demo cohort '{cohort.name}' (join code {cohort.join_code}) taught by tutor, with "
            f"{cohort.memberships.count()} learners; {created_attempts} demo attempts created."
        )
        if assignment is not None:
            self.stdout.write(
                f"Demo assignment '{assignment.title}' set for the cohort, due "
                f"{assignment.due_at:%d %b %Y}."
            )
        if reviews:
            self.stdout.write(f"Demo learner's revision history: {reviews} reviews created.")

    def _account(self, username: str, *, superuser: bool = False):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = register_learner(
                username=username,
                email=f"{username}@example.invalid",
                password=DEMO_PASSWORDS[username],
            )
        user.set_password(DEMO_PASSWORDS[username])
        user.is_active = True
        if superuser:
            user.is_staff = user.is_superuser = True
        user.save()
        return user

    def _cohort(self, tutor) -> Cohort:
        cohort = Cohort.objects.filter(name=DEMO_COHORT, is_demo=True).first()
        if cohort is None:
            # No qualification: the cohort covers every topic. Most seed documents name no
            # qualification, and a cohort's pages cover only its qualification's topics, so
            # tying it to the one that does would hide the demo learners' answers from the tutor.
            cohort = Cohort.objects.create(name=DEMO_COHORT, is_demo=True)
        cohort.tutors.add(tutor)
        return cohort

    def _demo_learners(self, cohort: Cohort, tutor) -> int:
        User = get_user_model()
        answers = self._answers()
        created = 0
        topics = list(Topic.objects.order_by("source_file")[:3])
        for username, first, last, skill in DEMO_LEARNERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = register_learner(
                    username=username, email=f"{username}@example.invalid", password=None
                )
                user.first_name, user.last_name = first, last
                user.set_unusable_password()
                user.save()
            add_member(cohort=cohort, learner=user, added_by=tutor)
            if skill is None or Attempt.objects.filter(learner=user).exists():
                continue
            for topic in topics:
                attempt = start_attempt(learner=user, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
                given = {}
                for response in attempt.responses.select_related("question__marking_point"):
                    point = response.question.marking_point
                    if point is None:
                        continue
                    good, poor = answers.get((topic.source_file, point.position), ([], []))
                    # Deterministic: the first share of questions get a creditable answer.
                    pool = good if response.position <= round(skill * 10) else poor
                    if pool:
                        given[response.position] = pool[len(username) % len(pool)]
                submit_attempt(attempt=attempt, answers=given)
                created += 1
        return created

    def _demo_assignment(self, cohort: Cohort, tutor):
        """An assignment set by the demo tutor for the demo cohort, submitted by one demo
        learner and started by another, so both sides have something to show. Made once."""
        existing = Assignment.objects.filter(cohort=cohort, title=DEMO_ASSIGNMENT).first()
        if existing is not None:
            return existing
        topic = Topic.objects.order_by("source_file").first()
        if topic is None:
            return None
        now = timezone.now()
        try:
            assignment = create_assignment(
                cohort=cohort,
                tutor=tutor,
                title=DEMO_ASSIGNMENT,
                instructions="Answer every question in full sentences, with an example.",
                topics=[topic],
                question_count=5,
                opens_at=now - datetime.timedelta(days=2),
                due_at=now + datetime.timedelta(days=3),
                attempts_allowed=2,
                seed=1,
            )
        except AssignmentError:
            return None
        User = get_user_model()
        answers = self._answers()
        for username, submit in (("demo-amira", True), ("demo-ben", False)):
            learner = User.objects.filter(username=username).first()
            if learner is None:
                continue
            attempt = start_assignment_attempt(assignment=assignment, learner=learner)
            given = {}
            responses = attempt.responses.select_related("question__marking_point")
            for response in responses.prefetch_related("question__options"):
                point = response.question.marking_point
                if point is None:
                    # Multiple choice: the right option (every right one, for several).
                    right = response.question.correct_positions()
                    if response.question.takes_several_answers:
                        given[response.position] = right
                    elif right:
                        given[response.position] = right[0]
                    continue
                good, _poor = answers.get((topic.source_file, point.position), ([], []))
                if good:
                    given[response.position] = good[0]
            if submit:
                submit_attempt(attempt=attempt, answers=given)
            else:
                save_answers(attempt=attempt, answers=dict(list(given.items())[:1]))
        return assignment

    def _answers(self) -> dict:
        answers: dict = defaultdict(lambda: ([], []))
        if not ANSWERS_FILE.exists():
            return answers
        with ANSWERS_FILE.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                good, poor = answers[(row["source"], int(row["point"]))]
                (good if row["credit"] == "1" else poor).append(row["answer"])
        return answers
