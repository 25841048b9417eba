"""Writes for accounts: sign-up, roles, and a learner's own data (UK GDPR)."""

from __future__ import annotations

import hashlib
import secrets
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.roles import LEARNERS_GROUP, TUTOR_PERMISSIONS, TUTORS_GROUP
from accounts.validators import normalise_email, validate_username_script
from assessments.models import Attempt, Exemplar, OverrideRecord, PointMastery, Response
from cohorts.models import Cohort, CohortMembership
from cohorts.services import add_member
from revision.exports import schedule_json

User = get_user_model()


def register_learner(*, username: str, email: str, password: str, cohort=None):
    """Create a learner account (and join ``cohort`` if given), all or nothing.

    If another account already has ``email`` (ignoring case) the new account is made without
    an address, so sign-up need not say that the address is taken: the caller tells the
    address's owner instead (``send_taken_address_notice``).
    """
    email = normalise_email(email)
    with transaction.atomic():
        if email and User.objects.filter(email__iexact=email).exists():
            email = ""
        user = User(username=username, email=email)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        validate_username_script(user.username)
        user.save()
        user.groups.add(Group.objects.get_or_create(name=LEARNERS_GROUP)[0])
        if cohort is not None:
            add_member(cohort=cohort, learner=user)
    return user


def send_taken_address_notice(*, email: str, login_url: str, reset_url: str) -> bool:
    """E-mail the account that owns ``email``: someone signed up with your address; log in or
    reset your password. ``False`` (nothing sent) if no account has it."""
    owner = User.objects.filter(email__iexact=normalise_email(email)).first()
    if owner is None:
        return False
    context = {"username": owner.get_username(), "login_url": login_url, "reset_url": reset_url}
    subject = render_to_string("accounts/email/signup_existing_subject.txt", context)
    body = render_to_string("accounts/email/signup_existing.txt", context)
    send_mail(" ".join(subject.split()), body, None, [owner.email])
    return True


def reset_request_allowed(*, email: str, address: str | None) -> bool:
    """Count a password-reset request and say whether it may send an e-mail: at most
    ``PASSWORD_RESET_ACCOUNT_LIMIT`` per address asked for (ignoring case) and
    ``PASSWORD_RESET_ADDRESS_LIMIT`` per client address, in ``PASSWORD_RESET_WINDOW_MINUTES``.
    Counted in the cache (shared between app servers when ``CACHE_URL`` is set); requests for
    addresses with no account count too, so the limit behaves the same for them."""
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    email_key = hashlib.sha256(normalise_email(email).lower().encode()).hexdigest()
    counters = (
        (f"password-reset:account:{email_key}", settings.PASSWORD_RESET_ACCOUNT_LIMIT),
        (f"password-reset:address:{address or 'unknown'}", settings.PASSWORD_RESET_ADDRESS_LIMIT),
    )
    allowed = True
    for key, limit in counters:
        cache.add(key, 0, timeout=window)  # starts the window; no-op if it is running
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        allowed = allowed and count <= limit
    return allowed


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
    username = user.get_username()
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
                        "selected_choices": r.selected_choices,
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
        # django-axes' records of sign-ins and of failed attempts at this username.
        "login_history": [
            {
                "logged_in_at": entry.attempt_time.isoformat(),
                "logged_out_at": entry.logout_time.isoformat() if entry.logout_time else None,
                "address": entry.ip_address,
                "browser": entry.user_agent,
            }
            for entry in AccessLog.objects.filter(username=username).order_by("attempt_time", "id")
        ],
        "failed_logins": [
            {
                "last_at": attempt.attempt_time.isoformat(),
                "failures": attempt.failures_since_start,
                "address": attempt.ip_address,
                "browser": attempt.user_agent,
            }
            for attempt in AccessAttempt.objects.filter(username=username).order_by(
                "attempt_time", "id"
            )
        ]
        + [
            {
                "last_at": failure.attempt_time.isoformat(),
                "failures": 1,
                "address": failure.ip_address,
                "browser": failure.user_agent,
            }
            for failure in AccessFailureLog.objects.filter(username=username).order_by(
                "attempt_time", "id"
            )
        ],
        # Spaced repetition: every card, its schedule and its reviews (docs/revision.md).
        "revision": schedule_json(user)["cards"],
    }


class AccountDeletionRefused(Exception):
    """Deleting these accounts would break something: ``reasons`` says what, in plain words."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


# Who wrote what, kept when its author's account goes: (model, user field). Historical models
# (django-simple-history's ``history_user``) are found at run time, so a model that gains
# history is covered without a change here.
AUDIT_AUTHOR_FIELDS = (
    (LogEntry, "user"),
    (OverrideRecord, "tutor"),
    (Response, "override_by"),
    (Exemplar, "marked_by"),
)
PSEUDONYM_PREFIX = "deleted-user-"


def _audit_author_fields():
    fields = list(AUDIT_AUTHOR_FIELDS)
    for model in apps.get_models():
        try:
            model._meta.get_field("history_user")
        except FieldDoesNotExist:
            continue
        fields.append((model, "history_user"))
    return fields


def deletion_refusals(users) -> list[str]:
    """Why deleting all of ``users`` together must not happen (empty: it may).

    Refused while it would leave a cohort with no tutor (co-tutored cohorts simply lose the
    deleted tutor) or leave no active admin.
    """
    ids = [user.pk for user in users]
    reasons = []
    orphaned = (
        Cohort.objects.filter(tutors__in=ids)
        .exclude(tutors__in=User.objects.exclude(pk__in=ids))
        .distinct()
        .order_by("name")
    )
    names = [cohort.name for cohort in orphaned]
    if names:
        reasons.append(
            "These cohorts would be left without a tutor: "
            + ", ".join(names)
            + ". Add another tutor to each (its Members page, co-tutors) first."
        )
    admins = User.objects.filter(is_superuser=True, is_active=True)
    if admins.filter(pk__in=ids).exists() and not admins.exclude(pk__in=ids).exists():
        reasons.append(
            "This is the last active admin account: make another account an admin "
            "(superuser) first, so someone can still run the site."
        )
    return reasons


def _pseudonymise_audit_trail(user) -> None:
    """Hand everything ``user`` authored in the audit trail to a new inactive placeholder
    account with a random name, so the record keeps "one person did these" without saying who.
    No placeholder is made for someone who authored nothing."""
    fields = [
        (model, field)
        for model, field in _audit_author_fields()
        if model._default_manager.filter(**{field: user}).exists()
    ]
    if not fields:
        return
    placeholder = User(
        username=f"{PSEUDONYM_PREFIX}{secrets.token_hex(4)}",
        first_name="Deleted",
        last_name="account",
        is_active=False,
    )
    placeholder.set_unusable_password()
    placeholder.save()
    for model, field in fields:
        model._default_manager.filter(**{field: user}).update(**{field: placeholder})


def _end_sessions(user_ids) -> None:
    """Delete every stored session signed in as one of ``user_ids``, on any device.

    Sessions are not indexed by user, so this reads each one: fine for a rare action, and the
    only way to reach sessions the person is not using right now.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    targets = {str(pk) for pk in user_ids}
    session_model = store_class.get_model_class()
    stale = [
        session.session_key
        for session in session_model.objects.iterator(chunk_size=1000)
        if str(session.get_decoded().get(SESSION_KEY)) in targets
    ]
    for key in stale:
        store_class(session_key=key).delete()


def delete_accounts(*, users) -> None:
    """Delete ``users`` and, with each, every attempt, answer, mark and membership, their login
    records (django-axes' logs and failure counts) and every session they are signed in with.

    Answers are deleted, not anonymised: nothing of the learner's text survives for tutors'
    views or exports. What a person did as staff or tutor (admin log, content history, mark
    overrides and the exemplars they taught) stays, credited to a pseudonym.
    Raises ``AccountDeletionRefused`` (and deletes nothing) when ``deletion_refusals`` objects.
    """
    users = list(users)
    with transaction.atomic():
        reasons = deletion_refusals(users)
        if reasons:
            raise AccountDeletionRefused(reasons)
        usernames = [user.get_username() for user in users]
        for user in users:
            _pseudonymise_audit_trail(user)
        for model in (AccessLog, AccessAttempt, AccessFailureLog):
            model.objects.filter(username__in=usernames).delete()
        _end_sessions([user.pk for user in users])
        for user in users:
            user.delete()


def delete_account(*, user) -> None:
    """Delete one account: ``delete_accounts`` for a single user."""
    delete_accounts(users=[user])
