"""Show a marked answer with its evidence highlighted."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from assessments.answer_options import ChoiceSnapshot
from assessments.marking.exemplars import Learning
from assessments.services import agreement_sentence

register = template.Library()


def _spans(result: dict, evidence_label: str = "Credit") -> list[tuple[int, int, str, str]]:
    spans = []
    for match in result.get("matches") or []:
        label = f"{evidence_label}: {match['indicator']}"
        spans.append((match["start"], match["end"], "evidence", label))
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
    return _highlight(answer, result, "Credit")


@register.filter
def highlight_matches(answer: str, result: dict | None) -> str:
    """As ``highlight_evidence``, for an answer a tutor re-marked: marks say "Marker matched"
    rather than "Credit", since the tutor's decision, not the marker's, stands."""
    return _highlight(answer, result, "Marker matched")


def _highlight(answer: str, result: dict | None, evidence_label: str) -> str:
    answer = answer or ""
    if not result:
        return escape(answer)
    pieces, cursor = [], 0
    for start, end, css_class, label in _spans(result, evidence_label):
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


# The marker's own verdict at the start of its feedback ("Credit awarded.", "No credit yet.").
_VERDICT = re.compile(r"^\s*(?:credit\s+awarded|no\s+credit(?:\s+yet)?)\s*[.:]\s*", re.I)


@register.filter
def without_verdict(feedback: str | None) -> str:
    """Marker feedback minus its opening verdict, for a page where a tutor's mark stands:
    what was found and missing still helps, a verdict the tutor overruled does not."""
    return _VERDICT.sub("", feedback or "", count=1)


def _choice_snapshot(response) -> ChoiceSnapshot:
    """The options as the learner saw them: the marked response's snapshot, else (not marked
    yet) the question's current options, which should be prefetched."""
    return ChoiceSnapshot.from_dict(response.rubric_snapshot) or response.question.choice_snapshot()


@register.filter
def chosen_options(response) -> str:
    """The text(s) of the option(s) a learner chose ("" for none)."""
    snapshot = _choice_snapshot(response)
    return "; ".join(
        f"“{snapshot.options[p]}”"
        for p in response.chosen_positions
        if 0 <= p < len(snapshot.options)
    )


@register.filter
def choice_rows(response) -> list[dict]:
    """Each option of a choice answer as the learner saw it: text, right or not, chosen or not,
    and the feedback for the ones chosen."""
    return _choice_snapshot(response).rows(response.chosen_positions)


@register.filter
def general_feedback(response) -> str:
    """The question's feedback for every learner, as it was when the answer was marked."""
    return _choice_snapshot(response).general_feedback


@register.filter
def tutor_teaching(result: dict | None) -> list[str]:
    """What tutors' marks taught the marker that bore on this result, in plain words."""
    lines = []
    for reason in (result or {}).get("reasons", []):
        if reason.startswith("learned: "):
            lines.append(reason.removeprefix("learned: "))
        elif reason.startswith("decision: a tutor marked an answer with the same content words"):
            lines.append("A tutor marked an answer with the same words this way.")
    return lines


@register.filter
def tutor_agreement(learning: dict | None) -> str:
    """How far a question's automatic marks agree with its tutors' marks (leave-one-out over
    its exemplars), in plain words; empty until tutors have marked some of its answers."""
    stored = Learning.from_dict(learning)
    return agreement_sentence(stored) if stored.agreement_n else ""
