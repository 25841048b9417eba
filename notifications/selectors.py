"""Reads for notifications."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from accounts.roles import TUTORS_GROUP
from notifications.models import EmailPreference, Notification
from revision_portal.queries import count_of


def unread_count(user) -> int:
    """How many unread notifications ``user`` has: one query.

    Every page with the navigation also asks whether the user is a tutor (a query on their
    groups) unless a tutor-only view already did: when it has not, the same query answers both
    and leaves the answer where ``accounts.roles.is_tutor`` looks for it, so the count costs
    learners' pages nothing extra.
    """
    if not user.is_authenticated:
        return 0
    cached = getattr(user, "_unread_notifications", None)
    if cached is not None:
        return cached
    user._unread_notifications = _count_unread(user)
    return user._unread_notifications


def _count_unread(user) -> int:
    unread = count_of(
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True), "recipient"
    )
    rows = get_user_model().objects.filter(pk=user.pk)
    if getattr(user, "_is_tutor", None) is None and not user.is_superuser:
        tutor = Group.objects.filter(name=TUTORS_GROUP, user=OuterRef("pk"))
        row = rows.annotate(unread=unread, tutor=Exists(tutor)).values_list("unread", "tutor")
        count, is_tutor = row.first() or (0, False)
        user._is_tutor = is_tutor
        return count
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def wants_email(user) -> bool:
    preference = EmailPreference.objects.filter(user=user).first()
    return preference is None or preference.email_notifications
