"""Writes for cohorts: creating them, join codes, adding and removing learners and tutors."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.roles import is_tutor
from cohorts.models import Cohort, CohortInvitation, CohortMembership, new_join_code

User = get_user_model()

MAX_CSV_ROWS = 2000


class CohortError(Exception):
    """A cohort change cannot be made; the message is for the person who asked."""


@dataclass(frozen=True)
class MemberRowReport:
    row: int
    identifier: str
    status: str  # INVITED or "skipped"
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


def learner_refusal(user) -> str | None:
    """Why ``user`` cannot be a learner in a cohort (tutors, staff, admins and deactivated
    accounts cannot), or None if they can."""
    if not user.is_active:
        return "that account is deactivated"
    if user.is_staff or user.is_superuser or is_tutor(user):
        return "tutors, staff and admins cannot be a learner in a cohort"
    return None


def add_member(
    *, cohort: Cohort, learner, added_by=None, share_earlier_answers: bool = False
) -> str:
    """Put a learner in a cohort (again, if they had been removed); returns what happened.

    Only for a learner's own action (join code, accepted invitation) or an admin's: tutors
    invite (``invite_learner``). The cohort's tutors see answers from now on, or all of them
    if ``share_earlier_answers`` (the learner agreed). Raises ``CohortError`` for a tutor,
    staff member, admin or deactivated account."""
    refusal = learner_refusal(learner)
    if refusal:
        raise CohortError(f"{learner.username}: {refusal}.")
    visible_from = None if share_earlier_answers else timezone.now()
    membership, created = CohortMembership.objects.get_or_create(
        cohort=cohort,
        learner=learner,
        defaults={"added_by": added_by, "history_visible_from": visible_from},
    )
    if created:
        return "added"
    if membership.removed_at is not None:
        membership.removed_at = None
        membership.history_visible_from = visible_from
        membership.save(update_fields=["removed_at", "history_visible_from"])
        return "rejoined"
    return "already a member"


def join_cohort(*, learner, code: str) -> Cohort:
    """Join the cohort whose join code this is. Raises ``CohortError`` for a wrong code, or
    for someone who cannot be a learner."""
    cohort = find_cohort_by_code(code)
    if cohort is None:
        raise CohortError(
            "That join code does not match any cohort. Check it with your tutor: codes are "
            "8 letters and digits."
        )
    if learner_refusal(learner):
        raise CohortError("Tutors, staff and admins cannot join a cohort as a learner.")
    with transaction.atomic():
        add_member(cohort=cohort, learner=learner)
    return cohort


# A username (Django's characters) or an e-mail address: anything else in a members file is a
# mistake worth reporting on its line.
IDENTIFIER_PATTERN = re.compile(r"[\w.@+-]+")
IDENTIFIER_MAX_LENGTH = 254
INVITED = "invited if a learner account has it"


def invite_learner(*, cohort: Cohort, identifier: str, invited_by) -> None:
    """Invite the learner whose username or e-mail address is ``identifier`` to ``cohort``.

    Returns nothing, on purpose: the tutor is told the same thing whether the account exists,
    is a tutor's, is already a member or was already invited, so the form cannot be used to
    find out who has an account. The learner sees the invitation on their next visit and
    accepts or declines it (``accept_invitation``)."""
    identifier = identifier.strip()
    if not identifier:
        return
    matches = list(
        User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:2]
    )
    if len(matches) != 1 or learner_refusal(matches[0]):
        return
    learner = matches[0]
    with transaction.atomic():
        if CohortMembership.objects.active().filter(cohort=cohort, learner=learner).exists():
            return
        try:
            with transaction.atomic():
                CohortInvitation.objects.get_or_create(
                    cohort=cohort,
                    learner=learner,
                    status=CohortInvitation.Status.PENDING,
                    defaults={"invited_by": invited_by},
                )
        except IntegrityError:  # invited by a co-tutor at the same moment: one is enough
            pass


class MemberFileError(CohortError):
    """A members file that cannot be used; ``problems`` name the lines. Nothing was saved."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def read_member_file(data: bytes) -> list[MemberRowReport]:
    """Check a whole members file and return its rows (first column: username or e-mail; a
    header row and blank rows are allowed). Raises ``MemberFileError`` naming every bad line
    (at most 20) if anything in it is wrong: encoding, NUL bytes, broken quoting, a cell that
    is not a username or e-mail address, too many rows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MemberFileError(
            [
                f"Line {_line_of(data, error.start)} is not UTF-8 text. Save the CSV as UTF-8 "
                "and try again."
            ]
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise MemberFileError(
            [f"Line {line} contains a NUL byte, which a CSV file never has; is it a CSV file?"]
        )
    # strict: an unclosed quote is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text), strict=True)
    rows: list[MemberRowReport] = []
    problems: list[str] = []
    try:
        for row in reader:
            line = reader.line_num
            identifier = (row[0] if row else "").strip()
            if len(rows) >= MAX_CSV_ROWS:
                raise MemberFileError(
                    [
                        f"The file has more than {MAX_CSV_ROWS:,} rows; upload at most "
                        f"{MAX_CSV_ROWS:,} at a time."
                    ]
                )
            if not rows and not problems and identifier.lower() in HEADER_NAMES:
                continue
            if not identifier:
                rows.append(MemberRowReport(line, "", "skipped", "empty"))
            elif len(identifier) > IDENTIFIER_MAX_LENGTH:
                problems.append(
                    f"Line {line}: longer than {IDENTIFIER_MAX_LENGTH} characters, so not a "
                    "username or e-mail address."
                )
            elif not IDENTIFIER_PATTERN.fullmatch(identifier):
                problems.append(
                    f"Line {line}: {identifier[:60]!r} is not a username or e-mail address."
                )
            else:
                rows.append(MemberRowReport(line, identifier, INVITED))
    except csv.Error as error:
        problems.append(f"Line {max(reader.line_num, 1)}: the CSV cannot be read ({error}).")
    if problems:
        shown = problems[:20]
        if len(problems) > len(shown):
            shown.append(f"… and {len(problems) - len(shown)} more.")
        raise MemberFileError(shown)
    return rows


HEADER_NAMES = {"username", "email", "e-mail", "user"}


def invite_learners_from_csv(*, cohort: Cohort, data: bytes, invited_by) -> list[MemberRowReport]:
    """Invite every learner listed in a members file, all or nothing: the whole file is
    checked first (``read_member_file`` raises ``MemberFileError`` and nothing is saved), then
    the invitations are made in one transaction. Returns a report per row that, like
    ``invite_learner``, does not say which rows have accounts."""
    rows = read_member_file(data)
    with transaction.atomic():
        for row in rows:
            if row.identifier:
                invite_learner(cohort=cohort, identifier=row.identifier, invited_by=invited_by)
    return rows


def accept_invitation(*, invitation: CohortInvitation, share_earlier_answers: bool) -> Cohort:
    """The learner accepts: they become a member; the tutors see their answers from now on,
    or every answer if they agreed to share earlier ones. Raises ``CohortError`` if the
    invitation was already answered or the account can no longer be a learner."""
    with transaction.atomic():
        invitation = CohortInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != CohortInvitation.Status.PENDING:
            raise CohortError("You have already answered this invitation.")
        add_member(
            cohort=invitation.cohort,
            learner=invitation.learner,
            added_by=invitation.invited_by,
            share_earlier_answers=share_earlier_answers,
        )
        invitation.status = CohortInvitation.Status.ACCEPTED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "responded_at"])
    return invitation.cohort


def decline_invitation(*, invitation: CohortInvitation) -> None:
    """The learner declines; a pending invitation only (an answered one is left as it is)."""
    CohortInvitation.objects.filter(
        pk=invitation.pk, status=CohortInvitation.Status.PENDING
    ).update(status=CohortInvitation.Status.DECLINED, responded_at=timezone.now())


def remove_learner(*, cohort: Cohort, learner) -> None:
    """Take a learner out of a cohort (their tutor's decision, or the learner leaving). Their
    attempts and answers are kept; the cohort's tutors lose sight of them at once."""
    CohortMembership.objects.active().filter(cohort=cohort, learner=learner).update(
        removed_at=timezone.now()
    )


def add_co_tutor(*, cohort: Cohort, username: str) -> None:
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise CohortError(f"No account has the username {username.strip()!r}.")
    if not is_tutor(user):
        raise CohortError(f"{user.username} is not a tutor; an admin can give them the tutor role.")
    cohort.tutors.add(user)
