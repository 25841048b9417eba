"""The two kinds of marking point: an examiner's criterion ("Award credit for identifying…")
and a reference answer ("The other bulbs stay lit."). Structure carries the first kind and
overlap with the reference the second, so the decision and exemplar learning treat them apart."""

import re

from assessments.rubrics import has_examiner_framing

__all__ = ["is_criterion"]

_CRITERION = re.compile(
    r"^\W*(?:award|credit|learners?\b|candidates?\b|the learner|identify|identifying|explain|"
    r"explaining|describe|describing|outline|outlining|state|stating|list|give|giving|name|"
    r"naming|define|defining|demonstrat|discuss|evaluat|justify|analys|compare|suggest|"
    r"accurate|clear|correct)",
    re.I,
)


def is_criterion(point_text: str) -> bool:
    """Whether a point is written as an examiner's criterion rather than a reference answer:
    it opens with a command or grading word, or with framing the rubric builder strips."""
    return bool(_CRITERION.search(point_text)) or has_examiner_framing(point_text)
