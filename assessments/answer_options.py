"""Pure rules for a question's answer options: which option sets can be marked, and how a choice
answer is marked against what the learner was shown.

No ORM here: the model, the admin's option formset, ``save_question``, the quiz pickers and the
marker all call these with plain values, so a rule is written (and tested) once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Kinds, as stored (``Question.Kind`` values; repeated here to keep this module ORM-free).
SHORT_ANSWER = "short_answer"
TRUE_FALSE = "true_false"
TRUE_FALSE_TEXTS = ("True", "False")


@dataclass(frozen=True)
class OptionSpec:
    """One answer option as a form or an import gives it: its text, whether it is right, and
    the feedback a learner who picks it reads."""

    text: str
    is_correct: bool = False
    feedback: str = ""


def as_option_specs(options: Iterable) -> list[OptionSpec]:
    """``options`` as ``OptionSpec``s: accepts specs, ``AnswerOption`` rows (anything with
    ``text`` and ``is_correct``) and ``(text, is_correct)`` or ``(text, is_correct, feedback)``
    tuples."""
    specs = []
    for option in options:
        if isinstance(option, OptionSpec):
            specs.append(option)
        elif hasattr(option, "text") and hasattr(option, "is_correct"):
            specs.append(
                OptionSpec(
                    text=option.text,
                    is_correct=bool(option.is_correct),
                    feedback=getattr(option, "feedback", "") or "",
                )
            )
        else:
            text, is_correct, *rest = option
            specs.append(
                OptionSpec(text=text, is_correct=bool(is_correct), feedback=rest[0] if rest else "")
            )
    return specs


def answer_key_problems(kind: str, multiple_answers: bool, options: Iterable) -> dict[str, str]:
    """What is wrong with a question's answer options, by field (``"options"``), as messages an
    editor can act on; ``{}`` when the question can be marked.

    Choice questions need at least two options, each with text; a single-answer one exactly one
    right option, a multiple-answer one at least one. True/false questions have exactly the two
    options True and False, one of them right. Short-answer questions may have options (extra
    accepted answers, anticipated wrong ones) but each needs text.
    """
    specs = as_option_specs(options)
    texts = [(spec.text or "").strip() for spec in specs]
    correct = sum(1 for spec in specs if spec.is_correct)
    if kind == SHORT_ANSWER:
        if any(not text for text in texts):
            return {"options": "Every accepted or anticipated answer needs some text."}
        return {}
    if kind == TRUE_FALSE:
        return _true_false_problems(texts, correct, multiple_answers)
    if len(specs) < 2:
        return {"options": "A multiple-choice question needs at least two options."}
    if any(not text for text in texts):
        return {"options": "Every option needs some text: remove the empty one."}
    return _key_problems(correct, multiple_answers)


def _true_false_problems(texts: list[str], correct: int, multiple_answers: bool) -> dict:
    if sorted(text.lower() for text in texts) != ["false", "true"]:
        return {"options": "A true/false question has exactly two options, “True” and “False”."}
    if multiple_answers:
        return {"multiple_answers": "A true/false question has one right answer."}
    if correct != 1:
        return {"options": "Tick exactly one of “True” and “False” as the right answer."}
    return {}


def _key_problems(correct: int, multiple_answers: bool) -> dict:
    if multiple_answers:
        if correct < 1:
            return {"options": "Tick at least one right option."}
    elif correct == 0:
        return {"options": "Tick the right option: none is marked correct."}
    elif correct > 1:
        return {
            "options": f"{correct} options are ticked as right, and the question has one right "
            "answer: tick one, or allow several right answers."
        }
    return {}


def true_false_options(answer_is_true: bool, *, feedback_true="", feedback_false="") -> list:
    """The two options of a true/false question, True first."""
    return [
        OptionSpec(TRUE_FALSE_TEXTS[0], answer_is_true, feedback_true),
        OptionSpec(TRUE_FALSE_TEXTS[1], not answer_is_true, feedback_false),
    ]


# --- marking a choice answer against what the learner saw ---------------------------------------


@dataclass(frozen=True)
class ChoiceSnapshot:
    """A choice question as the learner answered it: stored on the response when it is marked,
    so its results read the same after an editor changes the options."""

    options: tuple[str, ...]
    correct: tuple[int, ...]
    feedback: tuple[str, ...] = ()
    general_feedback: str = ""
    multiple_answers: bool = False

    def to_dict(self) -> dict:
        return {
            "options": list(self.options),
            "correct": list(self.correct),
            "feedback": list(self.feedback),
            "general_feedback": self.general_feedback,
            "multiple_answers": self.multiple_answers,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> ChoiceSnapshot | None:
        """Read a stored snapshot, including those written before options were rows
        (``{"choices": [...], "correct_choice": n}``); ``None`` when there is none."""
        if not isinstance(data, dict):
            return None
        if "options" in data:
            options = [str(text) for text in data.get("options") or []]
            correct = [int(p) for p in data.get("correct") or [] if isinstance(p, int)]
            feedback = [str(text) for text in data.get("feedback") or []]
            return cls(
                options=tuple(options),
                correct=tuple(correct),
                feedback=tuple(feedback),
                general_feedback=str(data.get("general_feedback") or ""),
                multiple_answers=bool(data.get("multiple_answers")),
            )
        if "choices" in data:
            choices = data.get("choices")
            options = [str(c) for c in choices] if isinstance(choices, list) else []
            key = data.get("correct_choice")
            correct = (key,) if isinstance(key, int) and 0 <= key < len(options) else ()
            return cls(options=tuple(options), correct=correct)
        return None

    @classmethod
    def of(cls, options: Sequence, *, general_feedback: str = "", multiple_answers=False):
        """The snapshot of a question's current options (in their order)."""
        specs = as_option_specs(options)
        return cls(
            options=tuple(spec.text for spec in specs),
            correct=tuple(i for i, spec in enumerate(specs) if spec.is_correct),
            feedback=tuple(spec.feedback for spec in specs),
            general_feedback=general_feedback,
            multiple_answers=bool(multiple_answers),
        )

    def feedback_for(self, position: int) -> str:
        return self.feedback[position] if 0 <= position < len(self.feedback) else ""

    def rows(self, selected: Iterable[int]) -> list[dict]:
        """One row per option for a results page: its text, whether it is right, whether the
        learner chose it, and its feedback when they did."""
        chosen = set(selected)
        return [
            {
                "position": position,
                "text": text,
                "is_correct": position in self.correct,
                "chosen": position in chosen,
                "feedback": self.feedback_for(position) if position in chosen else "",
            }
            for position, text in enumerate(self.options)
        ]


def chosen_option_texts(rubric_snapshot: dict | None, positions: Iterable[int]) -> str:
    """The texts of the options a learner chose, as they saw them ("; " between several), read
    from a marked response's snapshot; "" when there is none or nothing was chosen."""
    snapshot = ChoiceSnapshot.from_dict(rubric_snapshot)
    if snapshot is None:
        return ""
    return "; ".join(
        snapshot.options[p]
        for p in positions
        if isinstance(p, int) and 0 <= p < len(snapshot.options)
    )


def _quoted(snapshot: ChoiceSnapshot, positions: Iterable[int]) -> str:
    return "; ".join(
        f"“{snapshot.options[p]}”" for p in positions if 0 <= p < len(snapshot.options)
    )


def mark_choice(snapshot: ChoiceSnapshot, selected: Sequence[int]) -> dict:
    """The marker's result for a choice answer (positions the learner chose) against the
    snapshot: credited only when the chosen set is exactly the right set. The feedback says
    which right options were missed and which chosen ones were wrong."""
    chosen = sorted({p for p in selected if 0 <= p < len(snapshot.options)})
    right = sorted(set(snapshot.correct))
    awarded = bool(chosen) and chosen == right
    answer = (
        f"The right answers are: {_quoted(snapshot, right)}"
        if len(right) > 1
        else f"The answer is: {''.join(snapshot.options[p] for p in right)}"
    )
    if not chosen:
        feedback = f"Not answered. {answer}"
    elif awarded:
        feedback = "Correct."
    elif not snapshot.multiple_answers:
        feedback = f"Not quite. {answer}"
    else:
        parts = ["Not quite: credit needs every right option ticked and no wrong one."]
        missed = [p for p in right if p not in chosen]
        wrong = [p for p in chosen if p not in right]
        if missed:
            parts.append(f"Right options you did not tick: {_quoted(snapshot, missed)}.")
        if wrong:
            parts.append(f"Options you ticked that are wrong: {_quoted(snapshot, wrong)}.")
        feedback = " ".join(parts)
    return {
        "awarded": awarded,
        "score": int(awarded),
        "max_score": 1,
        "matches": [],
        "missing": [],
        "misconceptions": [],
        "feedback": feedback,
        "confident": True,
        "reasons": [],
        "selected": chosen,
    }


# --- short answers listed on the question ------------------------------------------------------

_EDGE_PUNCTUATION = " \t\n.,;:!?\"'“”‘’()"


def _normalised(text: str) -> str:
    return " ".join((text or "").split()).strip(_EDGE_PUNCTUATION).casefold()


def listed_answer_matches(listed: str, answer: str) -> bool:
    """Whether a learner's whole answer is one listed on a short-answer question: case, spacing
    and surrounding punctuation ignored; ``*`` in the listed text stands for any words (as in
    Moodle's short-answer questions)."""
    pattern = _normalised(listed)
    if not pattern:
        return False
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, _normalised(answer), flags=re.S) is not None


def matching_option(answer: str, options: Iterable) -> int | None:
    """The position of the first listed answer (option) the learner's answer is, or None."""
    if not (answer or "").strip():
        return None
    for position, spec in enumerate(as_option_specs(options)):
        if listed_answer_matches(spec.text, answer):
            return position
    return None
