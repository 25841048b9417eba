from django.utils.functional import SimpleLazyObject

from accounts.roles import is_tutor


def roles(request):
    """``is_tutor`` for templates, worked out only if a template asks."""
    return {"is_tutor": SimpleLazyObject(lambda: is_tutor(request.user))}
