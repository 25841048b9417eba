"""Assignment pages. Tutors reach only the assignments of cohorts they teach, learners only
those of cohorts they belong to; anything else is a 404, so nothing reveals that it exists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from assignments import exports, selectors, services
from assignments.forms import AssignmentForm, EditAssignmentForm
from cohorts.exports import csv_lines
from cohorts.selectors import cohort_for_tutor, topics_in_scope
from cohorts.views import tutor_required

LEARNERS_PER_PAGE = 50


# --- learners --------------------------------------------------------------------------------


@login_required
def learner_list(request):
    return render(
        request,
        "assignments/learner_list.html",
        {
            "assignments": selectors.assignments_for_learner(request.user),
            "past": selectors.past_assignments_for_learner(request.user),
        },
    )


@login_required
def detail(request, pk: int):
    assignment = selectors.assignment_for_learner(request.user, pk)
    status = selectors.learner_assignment_status(assignment, request.user)
    return render(
        request,
        "assignments/detail.html",
        {"assignment": status, "can_start": _can_start(status)},
    )


def _can_start(assignment) -> bool:
    if assignment.open_attempt_id:
        return True
    return assignment.is_open() and assignment.attempts_left > 0


@login_required
@require_POST
def start(request, pk: int):
    assignment = selectors.assignment_for_learner(request.user, pk)
    try:
        attempt = services.start_assignment_attempt(assignment=assignment, learner=request.user)
    except services.AssignmentError as error:
        messages.error(request, str(error))
        return redirect(assignment)
    return redirect("assessments:question", pk=attempt.pk, number=1)


# --- tutors ----------------------------------------------------------------------------------


@tutor_required
def tutor_list(request):
    return render(
        request,
        "assignments/tutor_list.html",
        {"assignments": selectors.assignments_for_tutor(request.user)[:200]},
    )


@tutor_required
def create(request, cohort_pk: int):
    cohort = cohort_for_tutor(request.user, cohort_pk)
    topics = topics_in_scope(cohort)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = AssignmentForm(
        request.POST or None,
        topics=topics,
        initial={"opens_at": now, "due_at": now + timezone.timedelta(days=7)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.create_assignment(
                cohort=cohort,
                tutor=request.user,
                title=data["title"],
                instructions=data["instructions"],
                topics=data["topics"],
                marking_points=data["marking_points"],
                question_count=data["question_count"],
                opens_at=data["opens_at"],
                due_at=data["due_at"],
                attempts_allowed=data["attempts_allowed"],
            )
        except services.AssignmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Assignment set with {assignment.question_count} questions; "
                f"{cohort.name}'s learners have been told.",
            )
            return redirect(assignment.tutor_url())
    return render(request, "assignments/form.html", {"form": form, "cohort": cohort})


@tutor_required
def tutor_detail(request, pk: int):
    assignment = selectors.assignment_for_tutor(request.user, pk)
    report = selectors.assignment_report(
        assignment, page=request.GET.get("page"), per_page=LEARNERS_PER_PAGE
    )
    return render(
        request,
        "assignments/tutor_detail.html",
        {"assignment": assignment, "report": report, "page": report.learners},
    )


@tutor_required
def edit(request, pk: int):
    assignment = selectors.assignment_for_tutor(request.user, pk)
    form = EditAssignmentForm(
        request.POST or None,
        initial={
            "title": assignment.title,
            "instructions": assignment.instructions,
            "opens_at": timezone.localtime(assignment.opens_at),
            "due_at": timezone.localtime(assignment.due_at),
            "attempts_allowed": assignment.attempts_allowed,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_assignment(assignment=assignment, **form.cleaned_data)
        except services.AssignmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Assignment updated.")
            return redirect(assignment.tutor_url())
    return render(
        request,
        "assignments/form.html",
        {"form": form, "cohort": assignment.cohort, "assignment": assignment},
    )


@tutor_required
def close(request, pk: int):
    """Confirm, then close (or reopen) the assignment to new attempts."""
    assignment = selectors.assignment_for_tutor(request.user, pk)
    if request.method == "POST":
        if assignment.closed_at is None:
            services.close_assignment(assignment=assignment)
            messages.success(request, "Assignment closed: no new attempts can be started.")
        else:
            services.reopen_assignment(assignment=assignment)
            messages.success(request, "Assignment reopened.")
        return redirect(assignment.tutor_url())
    return render(request, "assignments/confirm_close.html", {"assignment": assignment})


@tutor_required
def delete(request, pk: int):
    assignment = selectors.assignment_for_tutor(request.user, pk)
    if request.method == "POST":
        title = assignment.title
        services.delete_assignment(assignment=assignment)
        messages.success(request, f"“{title}” was deleted. Learners' answers are kept.")
        return redirect("assignments:tutor_list")
    return render(request, "assignments/confirm_delete.html", {"assignment": assignment})


@tutor_required
def export(request, pk: int):
    assignment = selectors.assignment_for_tutor(request.user, pk)
    response = StreamingHttpResponse(
        csv_lines(exports.assignment_rows(assignment)), content_type="text/csv"
    )
    filename = f"{slugify(assignment.title) or 'assignment'}-results.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
