"""Writes for accounts: sign-up, roles, and a learner's own data (UK GDPR)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from accounts.roles import LEARNERS_GROUP, TUTOR_PERMISSIONS, TUTORS_GROUP
from assessments.models import Attempt, PointMastery
from cohorts.models import CohortMembership
from cohorts.services import add_member
from revision.exports import schedule_json

User = get_user_model()


def register_learner(*, username: str, email: str, password: str, cohort=None):
    """Create a learner account (and join ``cohort`` if given), all or nothing."""
    with transaction.atomic():
        user = User(username=username, email=email)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.add(Group.objects.get_or_create(name=LEARNERS_GROUP)[0])
        if cohort is not None:
            add_member(cohort=cohort, learner=user)
    return user


def make_tutor(*, user) -> None:
    """Give a user the tutor role. Tutors are staff so they can edit questions in the admin;
    the Tutors group's permissions limit what they see there."""
    with transaction.atomic():
        group, created = Group.objects.get_or_create(name=TUTORS_GROUP)
        if created:
            for app_label, codename in TUTOR_PERMISSIONS:
                group.permissions.add(
                    *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
                )
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


def export_personal_data(user) -> dict:
    """Everything the portal holds about ``user``, as JSON-ready data."""
    attempts = (
        Attempt.objects.filter(learner=user)
        .select_related("topic")
        .prefetch_related("responses__question", "responses__override_by")
        .order_by("started_at")
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "cohorts": [
            {
                "cohort": m.cohort.name,
                "joined_at": m.joined_at.isoformat(),
                "removed_at": m.removed_at.isoformat() if m.removed_at else None,
            }
            for m in CohortMembership.objects.filter(learner=user).select_related("cohort")
        ],
        "attempts": [
            {
                "title": attempt.title,
                "kind": attempt.kind,
                "topic": attempt.topic.title if attempt.topic else None,
                "started_at": attempt.started_at.isoformat(),
                "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
                "answers": [
                    {
                        "question": r.question.prompt,
                        "answer": r.answer_text,
                        "selected_choice": r.selected_choice,
                        "auto_result": r.result,
                        "tutor_mark": r.override_awarded,
                        "tutor_comment": r.override_comment,
                        "tutor": r.override_by.username if r.override_by else None,
                    }
                    for r in attempt.responses.all()
                ],
            }
            for attempt in attempts
        ],
        "progress": [
            {
                "topic": m.topic.title,
                "marking_point": m.marking_point.text,
                "credited": m.credited,
                "answered_at": m.answered_at.isoformat(),
            }
            for m in PointMastery.objects.filter(learner=user).select_related(
                "topic", "marking_point"
            )
        ],
        # Spaced repetition: every card, its schedule and its reviews (docs/revision.md).
        "revision": schedule_json(user)["cards"],
    }


def delete_account(*, user) -> None:
    """Delete the account and, with it, every attempt, answer, mark and membership.

    Answers are deleted, not anonymised: nothing of the learner's text survives for tutors'
    views or exports. Overrides the user made as a tutor keep the mark but lose the name.
    """
    with transaction.atomic():
        user.delete()
