"""Query expressions the apps' selectors share."""

from django.db.models import Count, IntegerField, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404


def count_of(rows, group_by: str, counted=None):
    """A correlated subquery counting ``rows`` per outer row, 0 when there are none.

    ``rows`` is filtered on ``OuterRef`` to the outer row and ``group_by`` is the field that
    points at it; ``counted`` is what is counted (every row, ``Count("pk")``, by default).
    """
    per_outer_row = rows.order_by().values(group_by).annotate(n=counted or Count("pk")).values("n")
    return Coalesce(Subquery(per_outer_row, output_field=IntegerField()), 0)


def get_or_404(queryset, message: str, *conditions, **lookup):
    """The one row of ``queryset`` that matches, or a 404 saying ``message`` (the same answer
    whether the row does not exist or is out of the user's reach)."""
    try:
        return queryset.get(*conditions, **lookup)
    except queryset.model.DoesNotExist:
        raise Http404(message) from None
