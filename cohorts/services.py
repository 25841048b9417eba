"""Writes for cohorts: creating them, join codes, adding and removing learners and tutors."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.roles import is_tutor
from cohorts.models import Cohort, CohortMembership, new_join_code

User = get_user_model()

MAX_CSV_ROWS = 2000


class CohortError(Exception):
    """A cohort change cannot be made; the message is for the person who asked."""


@dataclass(frozen=True)
class MemberRowReport:
    row: int
    identifier: str
    status: str  # "added", "already a member", "rejoined", "not found", "skipped"
    detail: str = ""


def create_cohort(*, tutor, name: str, qualification=None) -> Cohort:
    """A new cohort taught by ``tutor``, with a fresh join code."""
    name = name.strip()
    if not name:
        raise CohortError("A cohort needs a name.")
    with transaction.atomic():
        for _ in range(5):
            try:
                with transaction.atomic():
                    cohort = Cohort.objects.create(name=name[:150], qualification=qualification)
                break
            except IntegrityError:  # join code collision: astronomically rare, but retry
                continue
        else:
            raise CohortError("Could not create a unique join code; please try again.")
        cohort.tutors.add(tutor)
    return cohort


def regenerate_join_code(*, cohort: Cohort) -> str:
    """Replace the join code; the old one stops working at once."""
    for _ in range(5):
        code = new_join_code()
        if not Cohort.objects.filter(join_code=code).exists():
            Cohort.objects.filter(pk=cohort.pk).update(join_code=code)
            cohort.join_code = code
            return code
    raise CohortError("Could not create a unique join code; please try again.")


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def find_cohort_by_code(code: str) -> Cohort | None:
    code = _normalise_code(code)
    if not code:
        return None
    return Cohort.objects.filter(join_code=code).first()


def add_member(*, cohort: Cohort, learner, added_by=None) -> str:
    """Put a learner in a cohort (again, if they had been removed); returns what happened."""
    membership, created = CohortMembership.objects.get_or_create(
        cohort=cohort, learner=learner, defaults={"added_by": added_by}
    )
    if created:
        return "added"
    if membership.removed_at is not None:
        membership.removed_at = None
        membership.save(update_fields=["removed_at"])
        return "rejoined"
    return "already a member"


def join_cohort(*, learner, code: str) -> Cohort:
    """Join the cohort whose join code this is. Raises ``CohortError`` for a wrong code."""
    cohort = find_cohort_by_code(code)
    if cohort is None:
        raise CohortError(
            "That join code does not match any cohort. Check it with your tutor: codes are "
            "8 letters and digits."
        )
    with transaction.atomic():
        add_member(cohort=cohort, learner=learner)
    return cohort


def add_learner(*, cohort: Cohort, identifier: str, added_by) -> MemberRowReport:
    """Add an existing account, found by username or e-mail address, to the cohort."""
    identifier = identifier.strip()
    if not identifier:
        return MemberRowReport(0, identifier, "skipped", "empty")
    matches = list(
        User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:2]
    )
    if not matches:
        return MemberRowReport(0, identifier, "not found", "no account has that username or e-mail")
    if len(matches) > 1:
        return MemberRowReport(
            0, identifier, "skipped", "more than one account matches; use the username"
        )
    learner = matches[0]
    if not learner.is_active:
        return MemberRowReport(0, identifier, "skipped", "that account is deactivated")
    with transaction.atomic():
        status = add_member(cohort=cohort, learner=learner, added_by=added_by)
    return MemberRowReport(0, identifier, status, learner.username)


def add_learners_from_csv(*, cohort: Cohort, data: bytes, added_by) -> list[MemberRowReport]:
    """Add learners listed one per row (first column: username or e-mail; a header row is
    allowed). Returns a report for every row; rows that fail do not stop the others."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CohortError(
            "The file is not UTF-8 text. Save the CSV as UTF-8 and try again."
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > MAX_CSV_ROWS:
        raise CohortError(
            f"The file has {len(rows):,} rows; upload at most {MAX_CSV_ROWS:,} at a time."
        )
    reports = []
    for number, row in enumerate(rows, start=1):
        identifier = (row[0] if row else "").strip()
        if number == 1 and identifier.lower() in {"username", "email", "e-mail", "user"}:
            continue
        report = add_learner(cohort=cohort, identifier=identifier, added_by=added_by)
        reports.append(MemberRowReport(number, identifier, report.status, report.detail))
    return reports


def remove_learner(*, cohort: Cohort, learner) -> None:
    """Take a learner out of a cohort. Their attempts and answers are kept."""
    CohortMembership.objects.filter(cohort=cohort, learner=learner, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )


def add_co_tutor(*, cohort: Cohort, username: str) -> None:
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise CohortError(f"No account has the username {username.strip()!r}.")
    if not is_tutor(user):
        raise CohortError(f"{user.username} is not a tutor; an admin can give them the tutor role.")
    cohort.tutors.add(user)
