"""Agreement between the pure marker and human examiner labels on the labelled answer set.

The labels in data/labelled_answers.csv were written as an examiner would mark, before the
marker was tuned, and are never changed to suit the marker. Rows of kind "roleplay" belong to
the point that asks for a simulated customer interaction: that point is not auto-markable (the
marker always refers it to a tutor), so those rows are kept as documentation of what a human
would award but excluded from the agreement figures.
"""

import csv
from collections import Counter

from assessments import lexicon
from assessments.calibration import agreement
from assessments.marking import MisconceptionSpec, mark_answer
from assessments.marking.lexical import LexicalMarker
from assessments.rubrics import build_rubric, with_model_answer
from assessments.tests import LABELLED_CSV, marking_point, seed_documents

# Floors: the figures measured when the set and marker were finished (accuracy 0.965,
# kappa 0.929 on 200 rows), rounded down. Raise them when the marker improves; a fall below
# them means a change made the marker agree less with examiners.
ACCURACY_FLOOR = 0.96
KAPPA_FLOOR = 0.92
# The site's marker is the pipeline, whose decision model is fitted on this set *and* on
# thousands of SemEval answers, each set weighed equally: here it measured accuracy 0.96,
# kappa 0.9185 (one more false positive than the structural channel alone), in exchange for
# +0.12 to +0.20 macro-F1 on held-out SemEval questions (docs/marking.md). The structural
# channel alone must still meet the floors above.
PIPELINE_ACCURACY_FLOOR = 0.955
PIPELINE_KAPPA_FLOOR = 0.91

KINDS = {
    "textbook",
    "paraphrase_no_shared_words",
    "misspelt",
    "partial",
    "negated",
    "misconception",
    "off_topic_reuses_words",
    "keyword_list",
    "other",
    "roleplay",
}


def load_rows():
    with LABELLED_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_set_is_well_formed_and_covers_every_point():
    rows = load_rows()
    assert len(rows) >= 130
    assert set(rows[0]) == {"source", "point", "answer", "credit", "kind"}
    assert {row["kind"] for row in rows} <= KINDS
    assert {row["credit"] for row in rows} <= {"0", "1"}
    points = {
        (source, index)
        for source, document in seed_documents().items()
        for index in range(1, len(document.marking_points) + 1)
    }
    assert {(row["source"], int(row["point"])) for row in rows} == points
    kinds = Counter(row["kind"] for row in rows)
    for kind in KINDS - {"other", "roleplay"}:
        assert kinds[kind] >= 5, kind
    credited = sum(row["credit"] == "1" for row in rows)
    assert 0.35 <= credited / len(rows) <= 0.65


def test_paraphrase_rows_really_share_no_content_word_with_the_point():
    def stems(text):
        return {
            t.stem
            for t in lexicon.tokenize(text, strict=True)
            if t.lower not in lexicon.FUNCTION_WORDS
        }

    for row in load_rows():
        if row["kind"] == "paraphrase_no_shared_words":
            point = marking_point(row["source"], int(row["point"]))
            assert not stems(point) & stems(row["answer"]), row["answer"]


def test_role_play_rows_are_for_the_point_that_is_not_auto_markable():
    for row in load_rows():
        rubric = build_rubric(marking_point(row["source"], int(row["point"])))
        assert (row["kind"] == "roleplay") == (not rubric.auto_markable), row


def _agreement(mark):
    pairs = []
    for row in load_rows():
        if row["kind"] == "roleplay":
            continue
        document = seed_documents()[row["source"]]
        # As the question bank builds it, model answer included: what the site marks with.
        rubric = with_model_answer(build_rubric(document.marking_points[int(row["point"]) - 1]))
        specs = [MisconceptionSpec(m.statement, m.correction) for m in document.misconceptions]
        result = mark(row["answer"], rubric, misconceptions=specs)
        pairs.append((row["credit"] == "1", result.awarded))
    return agreement(pairs)


def test_marker_agrees_with_examiners():
    stats = _agreement(mark_answer)
    assert stats.n >= 130
    assert stats.accuracy >= PIPELINE_ACCURACY_FLOOR, stats
    assert stats.kappa >= PIPELINE_KAPPA_FLOOR, stats


def test_structural_channel_alone_agrees_with_examiners():
    lexical = LexicalMarker()
    stats = _agreement(
        lambda answer, rubric, misconceptions: lexical.mark(answer, rubric, misconceptions)
    )
    assert stats.accuracy >= ACCURACY_FLOOR, stats
    assert stats.kappa >= KAPPA_FLOOR, stats
