"""Heatmap cells as HTML.

A tag rather than a template loop: a loop costs several times more per cell (profiled with
`make bench` when the page drew every topic), and the tag keeps a cell's markup in one place
for the learners' rows and the cohort's totals.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _cell_html(cell, where: str, extra_class: str = "") -> str:
    # ``where`` is already escaped; the rest are integers.
    if cell.not_started:
        return (
            f'<td class="heat heat-none{extra_class}">not started'
            f'<span class="visually-hidden">: no answers{where}</span></td>'
        )
    return (
        f'<td class="heat heat-{cell.shade}{extra_class}">{cell.percent}%'
        f'<span class="visually-hidden">: {cell.credited} of {cell.total} marking points'
        f"{where}</span></td>"
    )


@register.simple_tag
def heatmap_overall_cell(cell) -> SafeString:
    """The ``<td>`` of a total over every topic in scope, printed in bold."""
    return mark_safe(_cell_html(cell, " in every topic in scope", " fw-bold"))  # noqa: S308


@register.simple_tag
def heatmap_cells(cells) -> SafeString:
    """A ``<td>`` per topic cell in ``cells``: the percentage printed and shaded, with its
    counts and the topic's title for screen readers."""
    return mark_safe(  # noqa: S308 - integers and escaped titles only
        "".join(_cell_html(cell, f" in {escape(cell.topic.title)}") for cell in cells)
    )
