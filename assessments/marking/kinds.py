"""The two kinds of marking point: an examiner's criterion ("Award credit for identifying…")
and a reference answer ("The other bulbs stay lit."). Structure carries the first kind and
overlap with the reference the second, so the decision and exemplar learning treat them apart.

The test itself lives with the rubric builder, which also needs it (how many named ideas a
criterion asks for); this module is where the marking pipeline reads it from."""

from assessments.rubrics import is_criterion

__all__ = ["is_criterion"]
