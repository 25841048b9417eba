"""Build the benchmark dataset in the database named by DATABASE_URL (already migrated).

    python bench/datagen.py import SEED_DIR [--limit N]     # import throughput, JSON on stdout
    python bench/datagen.py build SEED_DIR --topics 200 --learners 2000 --cohorts 40 \
        --answers 200000 --manifest PATH

Topics go through the real importer (``import_seed_paths``: parser, rubric builder, question
bank). Accounts, cohorts and attempts are bulk-created and answers and mastery rows are streamed
with PostgreSQL COPY (bench/pgcopy.py), because 200,000 answers (2,000,000 at ``--scale 10``)
through the quiz services would take far too long; they are made the way the services make
them: topic quizzes with the same question mix as ``start_attempt``, answers drawn from a pool
per question that was marked once by the real marker (so every generated answer's result,
rubric snapshot, tutor flag and misconception count is one the marker really gave, but the
marker runs once per pool entry, not once per answer), and one mastery row per learner and
marking point pointing at their latest answer. When the app has a
``rebuild_learner_summaries`` command (per-learner summaries, issue 13), it is run at the end
so summary-backed pages see the generated history.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revision_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import LEARNERS_GROUP, TUTORS_GROUP  # noqa: E402
from assessments.answer_options import mark_choice  # noqa: E402
from assessments.marking import MisconceptionSpec, mark_answer  # noqa: E402
from assessments.models import Attempt, PointMastery, Question, Response  # noqa: E402
from cohorts.models import Cohort, CohortMembership  # noqa: E402
from topics.models import Misconception, Topic  # noqa: E402
from topics.services import import_seed_paths  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from pgcopy import copy_line, json_field  # noqa: E402

User = get_user_model()
PASSWORD = "bench-password-not-secret-42"  # noqa: S105 - throwaway benchmark accounts
BATCH = 4000
SUMMARIES_COMMAND = "rebuild_learner_summaries"

OFF_TOPIC = [
    "I would be polite and smile at the customer.",
    "Customers like it when staff are friendly.",
    "",
    "I don't know.",
    "You should always follow the company policy and tell your manager.",
]


class CopyRows:
    """Rows of one model's table gathered as COPY text, then streamed in one COPY.

    Columns are the model's concrete fields, so a field added later is filled with its model
    default (as ``bulk_create`` would) unless the caller gives a value. With ``pk_from`` the
    primary keys are given here, counting up from it, so that other rows can point at them
    before they exist (COPY returns no ids); without it PostgreSQL assigns them.
    """

    def __init__(self, model, *, pk_from: int | None = None):
        self.model = model
        pk = model._meta.pk
        self.fields = [f for f in model._meta.concrete_fields if pk_from is not None or f != pk]
        self.defaults = {f.attname: f.get_default() for f in self.fields if f != pk}
        self.next_pk = pk_from
        self.count = 0
        self.buffer = io.StringIO()

    def add(self, **values) -> int | None:
        """Queue one row (values by attribute name, e.g. ``attempt_id``); returns its id if set."""
        pk = None
        if self.next_pk is not None:
            pk = self.next_pk
            self.next_pk += 1
            values[self.model._meta.pk.attname] = pk
        row = [
            values[f.attname] if f.attname in values else self.defaults[f.attname]
            for f in self.fields
        ]
        self.buffer.write(copy_line(row))
        self.count += 1
        return pk

    def copy(self, cursor) -> None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        self.buffer.seek(0)
        cursor.copy_expert(
            f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN", self.buffer
        )


def cmd_import(args) -> int:
    files = sorted(Path(args.seed_dir).glob("*.txt"))
    if args.limit:
        files = files[: args.limit]
    started = time.perf_counter()
    report = import_seed_paths(paths=files)
    elapsed = time.perf_counter() - started
    counts = report.counts
    print(
        json.dumps(
            {
                "documents": len(files),
                "seconds": round(elapsed, 2),
                "documents_per_second": round(len(files) / elapsed, 1),
                "created": counts.get("created", 0),
                "failed": counts.get("failed", 0),
                "failures": [r.line for r in report.failed][:5],
            }
        )
    )
    return 0 if not report.failed else 1


def _answer_pool(question: Question, misconceptions, rng: random.Random) -> list[dict]:
    """A handful of distinct answers to one question, each marked once by the real marker."""
    pool = []
    if question.is_short_answer:
        rubric = question.to_rubric()
        labels = [i.label for i in question.indicators.all()]
        texts = set()
        if question.model_answer:
            texts.add(question.model_answer)
        if labels:
            need = max(1, question.required_count)
            texts.add("; ".join(labels[:need]) + ".")
            texts.add(
                f"It matters because {labels[0].lower()} so the customer comes back and "
                f"that leads to {labels[-1].lower()}."
            )
            texts.add(labels[rng.randrange(len(labels))])
        texts.update(rng.sample(OFF_TOPIC, 2))
        snapshot = rubric.to_dict()
        for text in sorted(texts):
            result = mark_answer(text, rubric, misconceptions=misconceptions)
            answered = bool(text.strip())
            pool.append(
                {
                    "answer_text": text,
                    "selected_choice": None,
                    "rubric_snapshot": snapshot,
                    "result": result.to_dict(),
                    "awarded": result.awarded,
                    "score": result.score,
                    "max_score": result.max_score,
                    "confident": result.confident,
                    "misconception_count": len(result.misconceptions),
                    "needs_tutor": answered
                    and (not question.auto_markable or not result.confident),
                }
            )
    else:
        choice_snapshot = question.choice_snapshot()
        snapshot = choice_snapshot.to_dict()
        for selected in range(len(choice_snapshot.options)):
            result = mark_choice(choice_snapshot, [selected])
            pool.append(
                {
                    "answer_text": "",
                    "selected_choice": selected,
                    "rubric_snapshot": snapshot,
                    "result": result,
                    "awarded": result["awarded"],
                    "score": result["score"],
                    "max_score": 1,
                    "confident": True,
                    "misconception_count": 0,
                    "needs_tutor": False,
                }
            )
    return pool


def cmd_build(args) -> int:
    rng = random.Random(args.seed)
    timings: dict[str, float] = {}
    # The first ``already_imported`` files are in the database already (run.py measured the
    # importer on them in this database): import the rest, up to ``topics`` in all.
    files = sorted(Path(args.seed_dir).glob("*.txt"))[args.already_imported : args.topics]

    started = time.perf_counter()
    report = import_seed_paths(paths=files)
    timings["import_topics"] = time.perf_counter() - started
    if report.failed:
        print(json.dumps({"error": [r.line for r in report.failed][:5]}))
        return 1

    started = time.perf_counter()
    topics = list(Topic.objects.order_by("pk"))
    questions_by_topic: dict[int, list[Question]] = {}
    for question in (
        Question.objects.active()
        .select_related("marking_point")
        .prefetch_related("indicators", "options")
        .order_by("topic_id", "position", "id")
    ):
        questions_by_topic.setdefault(question.topic_id, []).append(question)
    misconceptions: dict[int, list[MisconceptionSpec]] = {}
    for item in Misconception.objects.order_by("position", "id"):
        misconceptions.setdefault(item.topic_id, []).append(
            MisconceptionSpec(statement=item.statement, correction=item.correction)
        )
    pools = {
        q.pk: _answer_pool(q, tuple(misconceptions.get(q.topic_id, ())), rng)
        for qs in questions_by_topic.values()
        for q in qs
    }
    for pool in pools.values():
        for marked in pool:
            # Serialised once per pool entry, not once per generated answer.
            marked["result"] = json_field(marked["result"])
            marked["rubric_snapshot"] = json_field(marked["rubric_snapshot"])
    timings["mark_answer_pools"] = time.perf_counter() - started

    # Accounts: one password hash for everyone (hashing 2,000 passwords would take minutes).
    started = time.perf_counter()
    password = make_password(PASSWORD)
    learners_group = Group.objects.get(name=LEARNERS_GROUP)
    tutors_group = Group.objects.get(name=TUTORS_GROUP)
    now = timezone.now()
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    username=f"learner{n:05d}",
                    email=f"learner{n:05d}@bench.invalid",
                    first_name=f"Learner{n}",
                    last_name=rng.choice(["Patel", "Smith", "Jones", "Khan", "Brown", "Taylor"]),
                    password=password,
                )
                for n in range(1, args.learners + 1)
            ],
            batch_size=BATCH,
        )
        User.objects.bulk_create(
            [
                User(
                    username=f"tutor{n:03d}",
                    email=f"tutor{n:03d}@bench.invalid",
                    password=password,
                    is_staff=True,
                )
                for n in range(1, args.cohorts + 1)
            ]
        )
        learners = list(User.objects.filter(username__startswith="learner").order_by("username"))
        tutors = list(User.objects.filter(username__startswith="tutor").order_by("username"))
        membership = User.groups.through
        membership.objects.bulk_create(
            [membership(user_id=u.pk, group_id=learners_group.pk) for u in learners]
            + [membership(user_id=u.pk, group_id=tutors_group.pk) for u in tutors],
            batch_size=BATCH,
        )
        cohorts = Cohort.objects.bulk_create(
            [Cohort(name=f"Bench cohort {n:02d}") for n in range(1, args.cohorts + 1)]
        )
        Cohort.tutors.through.objects.bulk_create(
            [
                Cohort.tutors.through(cohort_id=c.pk, user_id=t.pk)
                for c, t in zip(cohorts, tutors, strict=True)
            ]
        )
        per_cohort = max(1, len(learners) // len(cohorts))
        CohortMembership.objects.bulk_create(
            [
                CohortMembership(
                    cohort=cohorts[min(i // per_cohort, len(cohorts) - 1)],
                    learner=learner,
                    added_by=tutors[min(i // per_cohort, len(cohorts) - 1)],
                )
                for i, learner in enumerate(learners)
            ],
            batch_size=BATCH,
        )
    timings["accounts_and_cohorts"] = time.perf_counter() - started

    # Attempts and answers: topic quizzes shaped like start_attempt's, spread over 60 days.
    started = time.perf_counter()
    quiz_topics = [t for t in topics if questions_by_topic.get(t.pk)]
    answers_per_learner = max(1, args.answers // len(learners))
    total_responses = total_attempts = total_mastery = 0
    # Each learner's latest attempt: their submission of the cohort's assignment (below).
    latest_attempt: dict[int, Attempt] = {}
    next_response_id = (Response.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    chunk = 100
    learner_topics: dict[int, list[int]] = {}
    for offset in range(0, len(learners), chunk):
        group = learners[offset : offset + chunk]
        attempts, plans = [], []
        for learner in group:
            given = 0
            when = now - datetime.timedelta(days=60)
            # Each learner revises a handful of topics, some of them more than once.
            favourites = rng.sample(quiz_topics, min(len(quiz_topics), rng.randint(4, 12)))
            learner_topics[learner.pk] = [t.pk for t in favourites]
            while given < answers_per_learner:
                topic = rng.choice(favourites)
                questions = questions_by_topic[topic.pk]
                short = [q for q in questions if q.kind == Question.Kind.SHORT_ANSWER]
                concept = [q for q in questions if q.kind == Question.Kind.CONCEPT_CHOICE]
                mistake = [q for q in questions if q.kind == Question.Kind.MISCONCEPTION_CHOICE]
                chosen = short + rng.sample(concept, min(2, len(concept)))
                chosen += rng.sample(mistake, min(1, len(mistake)))
                chosen = chosen[: answers_per_learner - given] or chosen[:1]
                when += datetime.timedelta(minutes=rng.randint(30, 60 * 24 * 4))
                when = min(when, now)
                attempts.append(
                    Attempt(
                        learner=learner,
                        kind=Attempt.Kind.TOPIC,
                        topic=topic,
                        title=f"Topic quiz: {topic.title}"[:250],
                        submitted_at=when,
                        marked_at=when,
                    )
                )
                plans.append((learner, chosen, when))
                given += len(chosen)
        with transaction.atomic():
            Attempt.objects.bulk_create(attempts, batch_size=BATCH)
            responses = CopyRows(Response, pk_from=next_response_id)
            mastery = CopyRows(PointMastery)
            latest: dict[tuple[int, int], tuple[int, bool, int, datetime.datetime]] = {}
            for attempt, (learner, chosen, when) in zip(attempts, plans, strict=True):
                for position, question in enumerate(chosen, start=1):
                    marked = rng.choice(pools[question.pk])
                    response_id = responses.add(
                        attempt_id=attempt.pk,
                        question_id=question.pk,
                        position=position,
                        marked_at=when,
                        **marked,
                    )
                    if question.marking_point_id:
                        latest[(learner.pk, question.marking_point_id)] = (
                            response_id,
                            bool(marked["awarded"]),
                            question.topic_id,
                            when,
                        )
            for (learner_id, point_id), (response_id, credited, topic_id, when) in latest.items():
                mastery.add(
                    learner_id=learner_id,
                    marking_point_id=point_id,
                    topic_id=topic_id,
                    response_id=response_id,
                    credited=credited,
                    answered_at=when,
                )
            with connection.cursor() as cursor:
                # Skip the foreign-key triggers for these rows (their ids were all made above
                # from rows that exist): a third of COPY's time at 2,000,000 answers.
                cursor.execute("SET LOCAL session_replication_role = replica")
                responses.copy(cursor)
                mastery.copy(cursor)
            next_response_id = responses.next_pk
        for attempt in attempts:
            latest_attempt[attempt.learner_id] = attempt
        total_attempts += len(attempts)
        total_responses += responses.count
        total_mastery += mastery.count
    with connection.cursor() as cursor:
        # Ids were given by hand above: move the sequence past them for the app's own inserts.
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('assessments_response', 'id'), "
            "(SELECT max(id) FROM assessments_response))"
        )
    with connection.cursor() as cursor:
        # auto_now_add stamped "now" on every attempt: start each one just before its submission.
        cursor.execute(
            "UPDATE assessments_attempt SET started_at = submitted_at - interval '9 minutes' "
            "WHERE submitted_at IS NOT NULL"
        )
    timings["attempts_and_answers"] = time.perf_counter() - started
    started = time.perf_counter()
    assignments = _cohort_assignments(
        cohorts, tutors, learners, per_cohort, latest_attempt, questions_by_topic, now
    )
    timings["assignments"] = time.perf_counter() - started
    if SUMMARIES_COMMAND in get_commands():
        # The answers above bypassed the services that keep per-learner summaries up to date.
        started = time.perf_counter()
        call_command(SUMMARIES_COMMAND, verbosity=0)
        timings["rebuild_learner_summaries"] = time.perf_counter() - started
    started = time.perf_counter()
    revision = _revision_history(learner_topics, learners, now, rng)
    timings["revision_cards_and_reviews"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    manifest = {
        "password": PASSWORD,
        "topics": len(topics),
        "topic_slugs": [t.slug for t in quiz_topics],
        "learners": [u.username for u in learners],
        "tutors": [u.username for u in tutors],
        "cohorts": [
            {"pk": c.pk, "tutor": t.username, "size": per_cohort, "assignment": assignments[c.pk]}
            for c, t in zip(cohorts, tutors, strict=True)
        ],
        "cohort_learners": {
            str(c.pk): [u.username for u in learners[i * per_cohort : (i + 1) * per_cohort]]
            for i, c in enumerate(cohorts)
        },
        "attempts": total_attempts,
        "revision_cards": revision["cards"],
        "revision_reviews": revision["reviews"],
        # The first learners' cards (due ones first) with their review counts (the rating
        # form's token): the flashcard rating POST rates each once.
        "rate_cards": revision["rate_cards"],
        "answers": total_responses,
        "mastery_rows": total_mastery,
        "questions": sum(len(v) for v in questions_by_topic.values()),
        "marked_pool_answers": sum(len(pool) for pool in pools.values()),
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "import_documents_per_second": (
            round(len(files) / timings["import_topics"], 1) if files else None
        ),
    }
    Path(args.manifest).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    summary = {k: v for k, v in manifest.items() if not isinstance(v, list | dict)}
    summary["timings_s"] = manifest["timings_s"]
    print(json.dumps(summary))
    return 0


def _cohort_assignments(
    cohorts, tutors, learners, per_cohort, latest_attempt, questions_by_topic, now
) -> dict[int, int]:
    """One assignment per cohort, set by its tutor on the topic its members' latest attempts
    were on most; every member's latest attempt is their submission (those after the due date
    are late). Returns {cohort pk: assignment pk}."""
    from collections import Counter

    from assignments.models import Assignment, AssignmentAttempt, AssignmentQuestion

    made = {}
    for index, (cohort, tutor) in enumerate(zip(cohorts, tutors, strict=True)):
        members = learners[index * per_cohort : (index + 1) * per_cohort]
        attempts = [latest_attempt[m.pk] for m in members if m.pk in latest_attempt]
        if not attempts:
            continue
        topic_id = Counter(a.topic_id for a in attempts).most_common(1)[0][0]
        questions = questions_by_topic[topic_id][:10]
        assignment = Assignment.objects.create(
            cohort=cohort,
            set_by=tutor,
            title=f"Bench assignment {index + 1}",
            question_count=len(questions),
            opens_at=now - datetime.timedelta(days=61),
            due_at=now - datetime.timedelta(days=3),
            attempts_allowed=2,
        )
        AssignmentQuestion.objects.bulk_create(
            AssignmentQuestion(assignment=assignment, question=q, position=n)
            for n, q in enumerate(questions, start=1)
        )
        AssignmentAttempt.objects.bulk_create(
            AssignmentAttempt(assignment=assignment, learner_id=a.learner_id, attempt=a, number=1)
            for a in attempts
        )
        made[cohort.pk] = assignment.pk
    return made


# Histories simulated by the fsrs scheduler once and shared out among the cards: as realistic as
# simulating each card, at a fraction of the time (docs/performance.md: 2,000 learners' cards).
HISTORY_TEMPLATES = 96
NEW_CARD_SHARE = 0.2
RATE_CARDS_IN_MANIFEST = 50  # learners whose cards are listed for the rating POST


def _revision_history(learner_topics: dict[int, list[int]], learners, now, rng) -> dict:
    """Spaced-repetition data as the revision app keeps it: every learner revises the topics
    they answered, with a card per marking point, key concept (both ways) and misconception;
    most cards carry a few weeks of flashcard reviews made by the fsrs scheduler (some due
    now, more this week), the rest are new. Streamed with COPY."""
    from revision.history import simulate
    from revision.models import Card, ReviewLog, StudiedTopic
    from revision.services import card_specs

    specs_by_topic: dict[int, list] = {}
    all_topics = {pk for pks in learner_topics.values() for pk in pks}
    for spec in card_specs(all_topics):
        specs_by_topic.setdefault(spec.topic_id, []).append(spec)
    until = now - datetime.timedelta(hours=1)
    templates = [
        simulate(start=now - datetime.timedelta(days=rng.uniform(3, 35)), until=until, rng=rng)
        for _ in range(HISTORY_TEMPLATES)
    ]
    next_card_id = (Card.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    cards = CopyRows(Card, pk_from=next_card_id)
    logs = CopyRows(ReviewLog)
    studied = CopyRows(StudiedTopic)
    listed = {u.pk: u.username for u in learners[:RATE_CARDS_IN_MANIFEST]}
    # (due, card id, reps) per listed learner: every card can be rated (early reviews cost the
    # same as due ones), so the rating POST has enough distinct cards for a whole run.
    rate_cards: dict[str, list[tuple]] = {name: [] for name in listed.values()}
    for learner_id, topic_ids in learner_topics.items():
        for topic_id in topic_ids:
            studied.add(learner_id=learner_id, topic_id=topic_id, source="quiz", started_at=now)
            for spec in specs_by_topic.get(topic_id, ()):
                common = {
                    "learner_id": learner_id,
                    "topic_id": topic_id,
                    "kind": spec.kind,
                    "content_key": spec.content_key,
                    "marking_point_id": spec.marking_point_id,
                    "position": spec.position,
                    "retired_at": None,
                }
                if rng.random() < NEW_CARD_SHARE:
                    card_id = cards.add(**common, state=1, step=0, due=now, created_at=now, reps=0)
                    if learner_id in listed:
                        rate_cards[listed[learner_id]].append((now, card_id, 0))
                    continue
                history = rng.choice(templates)
                card_id = cards.add(
                    **common,
                    state=history.state,
                    step=history.step,
                    stability=history.stability,
                    difficulty=history.difficulty,
                    due=history.due,
                    last_review=history.last_review,
                    reps=history.reps,
                    created_at=history.reviews[0][0],
                )
                for index, (at, rating) in enumerate(history.reviews):
                    logs.add(
                        card_id=card_id,
                        learner_id=learner_id,
                        rating=rating,
                        reviewed_at=at,
                        source="flashcard",
                        duration_ms=4000 + 1000 * (index % 9),
                        response_id=None,
                        was_new=index == 0,
                    )
                if learner_id in listed:
                    rate_cards[listed[learner_id]].append((history.due, card_id, history.reps))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        studied.copy(cursor)
        cards.copy(cursor)
        logs.copy(cursor)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('revision_card', 'id'), "
            "(SELECT max(id) FROM revision_card))"
        )
    return {
        "cards": cards.count,
        "reviews": logs.count,
        "rate_cards": {
            name: [[card_id, reps] for _due, card_id, reps in sorted(entries)]
            for name, entries in rate_cards.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import")
    imp.add_argument("seed_dir")
    imp.add_argument("--limit", type=int, default=0)
    imp.set_defaults(func=cmd_import)
    build = sub.add_parser("build")
    build.add_argument("seed_dir")
    build.add_argument("--topics", type=int, default=200)
    build.add_argument("--already-imported", type=int, default=0)
    build.add_argument("--learners", type=int, default=2000)
    build.add_argument("--cohorts", type=int, default=40)
    build.add_argument("--answers", type=int, default=200_000)
    build.add_argument("--seed", type=int, default=7)
    build.add_argument("--manifest", required=True)
    build.set_defaults(func=cmd_build)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
