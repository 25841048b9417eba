"""Show a marked answer with its evidence highlighted."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _spans(result: dict) -> list[tuple[int, int, str, str]]:
    spans = []
    for match in result.get("matches") or []:
        spans.append((match["start"], match["end"], "evidence", f"Credit: {match['indicator']}"))
    for flagged in result.get("misconceptions") or []:
        if flagged.get("end", 0) > flagged.get("start", 0):
            spans.append((flagged["start"], flagged["end"], "misconception", "Misconception"))
    return sorted(spans)


@register.filter
def highlight_evidence(answer: str, result: dict | None) -> str:
    """The answer, escaped, with credited evidence and misconceptions wrapped in ``<mark>``.

    Spans come from the marker as character offsets into the answer; overlapping spans keep
    the first. Each mark carries a visually hidden label so screen readers announce it.
    """
    answer = answer or ""
    if not result:
        return escape(answer)
    pieces, cursor = [], 0
    for start, end, css_class, label in _spans(result):
        if start < cursor or end > len(answer) or start >= end:
            continue
        pieces.append(escape(answer[cursor:start]))
        pieces.append(
            f'<mark class="{css_class}"><span class="visually-hidden">{escape(label)}: </span>'
            f"{escape(answer[start:end])}</mark>"
        )
        cursor = end
    pieces.append(escape(answer[cursor:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


@register.filter
def option(choices: list, index: int | None) -> str:
    """The text of option ``index`` of a multiple-choice question ("" if out of range)."""
    if index is None or not isinstance(choices, list) or not 0 <= index < len(choices):
        return ""
    return choices[index]
