import json

from django.core.management.base import BaseCommand

from assessments.batch_marking import mark_rows
from assessments.management.commands._answers_csv import read_answers_csv


class Command(BaseCommand):
    help = (
        "Mark answers from a CSV (columns: source, point, answer, and optionally credit) with the "
        "site's marker. 'source' is the seed file name of the topic, 'point' the 1-based position "
        "of the marking point. With a 'credit' column (a human's 0/1 mark) the summary gives "
        "accuracy, Cohen's kappa, the confusion matrix and the disagreements."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", metavar="FILE.csv")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help='One JSON object per row, in input order, then a {"summary": …} line.',
        )

    def handle(self, *args, csv_path, as_json: bool, **options):
        rows = read_answers_csv(csv_path)

        report = mark_rows(rows)
        summary = report.summary()
        if as_json:
            self._write_json(report, summary)
        else:
            self._write_table(report, summary)

    def _write_json(self, report, summary) -> None:
        for outcome in report.outcomes:
            self.stdout.write(json.dumps(outcome.to_json(), ensure_ascii=False))
        self.stdout.write(json.dumps({"summary": summary}, ensure_ascii=False))

    def _write_table(self, report, summary) -> None:
        self.stdout.write(f"{'row':>4}  {'source':<28} {'pt':>3}  {'result':<14} evidence / error")
        for o in report.outcomes:
            if o.error:
                self.stdout.write(
                    f"{o.row:>4}  {o.source[:28]:<28} {o.point[:3]:>3}  {'ERROR':<14} {o.error}"
                )
                continue
            r = o.result
            verdict = (
                "credit" if r["awarded"] else ("tutor" if not o.auto_markable else "no credit")
            )
            verdict += f" {r['score']}/{r['max_score']}"
            evidence = "; ".join(f"{m['indicator']}: “{m['text']}”" for m in r["matches"]) or "-"
            self.stdout.write(
                f"{o.row:>4}  {o.source[:28]:<28} {o.point[:3]:>3}  {verdict:<14} {evidence}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"rows {summary['rows']}, marked {summary['marked']}, errors {summary['errors']}, "
            f"credited {summary['awarded']}"
        )
        stats = summary.get("agreement")
        if stats:
            c = stats["confusion"]
            self.stdout.write(
                f"agreement with human marks on {stats['n']} rows: "
                f"accuracy {stats['accuracy']:.3f}, Cohen's kappa {stats['kappa']:.3f}"
            )
            self.stdout.write(f"confusion: {json.dumps(c)}")
            for d in stats["disagreements"]:
                self.stdout.write(
                    f"  row {d['row']}: human {d['credit']}, marker {int(d['awarded'])}: "
                    f"{d['answer'][:90]}"
                )
