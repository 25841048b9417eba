"""Page access by role: the decorator behind ``tutor_required`` and the question authoring pages'
``author_required`` and ``trier_required``."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from notifications.selectors import unread_count


def only_for(allowed):
    """A view decorator: log in first; then users for whom ``allowed(user)`` is true, everyone
    else 404 (a page outside a user's reach does not admit it exists)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            # One query answers "is this a tutor?" and the navigation's unread count together
            # (notifications.selectors.unread_count), where two would otherwise be needed.
            unread_count(request.user)
            if not allowed(request.user):
                raise Http404("Not found.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
