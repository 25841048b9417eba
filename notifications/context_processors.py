from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def unread_notifications(request):
    """``unread_notification_count`` for the navigation, worked out only if a template asks,
    in one query (which also answers the navigation's "is this a tutor?" when nothing has
    asked it yet: see ``notifications.selectors.unread_count``)."""
    return {"unread_notification_count": SimpleLazyObject(lambda: unread_count(request.user))}
