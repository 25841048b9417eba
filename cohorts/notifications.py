"""Telling a learner about invitations waiting for them, once, when they sign in.

A message at sign-in rather than a banner on every page: a banner would cost every page a
query (and change every page's pinned query count); the "My cohorts" link in the navigation
lists them at any time."""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html

from cohorts.selectors import pending_invitations


def announce_invitations(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: one message per waiting invitation (at most three)."""
    if request is None:
        return
    invitations = list(pending_invitations(user)[:3])
    for invitation in invitations:
        inviter = invitation.invited_by
        name = (inviter.get_full_name() or inviter.username) if inviter else "A tutor"
        messages.info(
            request,
            format_html(
                '{} invited you to join {}. <a href="{}">Accept or decline it</a>.',
                name,
                invitation.cohort.name,
                reverse("my_cohorts:list"),
            ),
            fail_silently=True,
        )
