import json

from django.core.management.base import BaseCommand, CommandError

from assessments.batch_marking import resolve_rows
from assessments.management.commands._answers_csv import read_answers_csv
from assessments.marking import get_marker
from assessments.marking.evaluation import Case, exemplar_curve


def _ks(value: str) -> list[int]:
    try:
        ks = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        message = f"--k must be whole numbers separated by commas, not {value!r}"
        raise CommandError(message) from None
    if not ks or ks[0] < 0:
        raise CommandError("--k needs at least one number, none negative")
    return ks


class Command(BaseCommand):
    help = (
        "Measure what tutors' marks teach the marker. Reads a CSV of marked answers (columns "
        "source, point, answer, credit, as mark_answers reads them); for each marking point, k of "
        "its rows drawn at random (seeded) become exemplars and the point's other rows are marked "
        "with what they taught; repeated --rounds times. Prints mean accuracy, kappa and n for "
        "each k. Works in memory: the database's exemplars and marks are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", metavar="FILE.csv")
        parser.add_argument("--k", default="0,1,3,5", help="exemplars per point (default 0,1,3,5)")
        parser.add_argument("--rounds", type=int, default=5, help="random draws (default 5)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help='One JSON object per k, then a {"summary": …} line.',
        )

    def handle(self, *args, csv_path, k, rounds, seed, as_json, **options):
        if rounds < 1:
            raise CommandError("--rounds must be at least 1")
        ks = _ks(k)
        cases, errors = self._cases(csv_path)
        if not cases:
            raise CommandError(f"{csv_path}: no row could be used ({len(errors)} errors)")
        marker = get_marker()
        table = exemplar_curve(cases, lambda case: marker, ks, rounds=rounds, seed=seed)
        summary = {
            "rows": len(cases) + len(errors),
            "used": len(cases),
            "skipped": len(errors),
            "points": len({c.question for c in cases}),
            "rounds": rounds,
            "seed": seed,
        }
        if as_json:
            for row in table:
                self.stdout.write(json.dumps(row))
            self.stdout.write(json.dumps({"summary": summary}))
            return
        for error in errors[:20]:
            self.stderr.write(error)
        self.stdout.write(f"{'k':>3}  {'accuracy':>8}  {'kappa':>6}  {'n':>6}")
        for row in table:
            self.stdout.write(
                f"{row['k']:>3}  {row['accuracy']:>8.3f}  {row['kappa']:>6.3f}  {row['n']:>6}"
            )
        self.stdout.write(
            f"{summary['used']} answers to {summary['points']} points, {rounds} rounds, "
            f"seed {seed}; {summary['skipped']} rows skipped"
        )

    def _cases(self, csv_path: str) -> tuple[list[Case], list[str]]:
        rows = read_answers_csv(csv_path)
        cases: list[Case] = []
        errors: list[str] = []
        for outcome, question, specs in resolve_rows(rows):
            if question is None or outcome.credit is None or not question.auto_markable:
                reason = outcome.error or (
                    "no credit given" if outcome.credit is None else "marked by a tutor"
                )
                errors.append(f"row {outcome.row}: {reason}")
                continue
            cases.append(
                Case(
                    question=f"{outcome.source}#{outcome.point}",
                    rubric=question.to_rubric(),
                    misconceptions=specs,
                    answer=outcome.answer,
                    credit=outcome.credit,
                )
            )
        return cases, errors
