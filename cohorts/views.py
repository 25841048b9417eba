"""Tutor pages, and a learner's own cohorts and invitations.

Anyone who is not a tutor gets 404 on the tutor pages, and so does a tutor asking for a cohort,
learner or answer outside the cohorts they teach: nothing reveals that it exists. A learner's
pages show only their own memberships and invitations (anyone else's are 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.roles import is_tutor
from assessments.services import QuizError, accept_as_marked, override_mark
from cohorts import exports, selectors, services
from cohorts.forms import (
    AcceptInvitationForm,
    AddLearnerForm,
    CohortForm,
    CoTutorForm,
    HeatmapFilterForm,
    MemberCsvForm,
    OverrideForm,
    QueueFilterForm,
)
from cohorts.models import Cohort, CohortInvitation, CohortMembership
from revision_portal.access import only_for

LEARNERS_PER_PAGE = 25
# Topics per heatmap page: 25 × 20 cells keep the page small whatever the question bank holds.
TOPICS_PER_PAGE = 20
ANSWERS_PER_PAGE = 25
POINTS_PER_PAGE = 50
ATTEMPTS_PER_PAGE = 10


# Log in first; then tutors only, everyone else 404.
tutor_required = only_for(is_tutor)


@tutor_required
def dashboard(request):
    return render(
        request,
        "cohorts/dashboard.html",
        {
            "summaries": selectors.cohort_summaries(request.user),
            "form": CohortForm(),
            "waiting": selectors.review_queue(request.user).count(),
        },
    )


@tutor_required
@require_POST
def create_cohort(request):
    form = CohortForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the cohort a name.")
        return redirect("cohorts:dashboard")
    cohort = services.create_cohort(tutor=request.user, **form.cleaned_data)
    messages.success(request, f"Cohort created. Learners join with the code {cohort.join_code}.")
    return redirect(cohort)


@tutor_required
def cohort_detail(request, pk: int):
    """The learners × topics heatmap: a page of learners by a page of topics, sortable and
    filterable, with totals over every topic in scope."""
    cohort = selectors.cohort_for_tutor(request.user, pk)
    form = HeatmapFilterForm(
        request.GET or None,
        qualifications=None if cohort.qualification_id else selectors.qualification_choices(),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    sort = selectors.heatmap_sort(request.GET.get("sort"))
    heatmap = selectors.cohort_heatmap(
        cohort,
        qualification_id=filters.get("qualification"),
        title_contains=filters.get("title", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        sort=sort,
        learner_page=request.GET.get("page"),
        topic_page=request.GET.get("topics"),
        learners_per_page=LEARNERS_PER_PAGE,
        topics_per_page=TOPICS_PER_PAGE,
    )
    columns = [("name", "Learner"), ("overall", "Overall")] + [
        (f"topic-{topic.pk}", topic.title) for topic in heatmap.topics
    ]
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "heatmap": heatmap,
            "page": heatmap.learners,
            "form": form,
            "sort": sort,
            "columns": [_sort_column(key, label, sort) for key, label in columns],
            # Sorting starts again at the first learner but keeps the topics shown.
            "sort_query": _query_without(request, "page", "sort", topics=heatmap.topics.number),
            "page_query": _query_without(request, "page", "sort", sort=sort),
            "topic_query": _query_without(request, "topics", "sort", sort=sort),
        },
    )


def _query_without(request, *names: str, **values) -> str:
    """The request's query string without ``names``, plus ``values``, URL-encoded."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    for name, value in values.items():
        query[name] = value
    return query.urlencode()


def _sort_column(key: str, label: str, current: str) -> dict:
    """A sortable heading: selecting it sorts by the column, again reverses the order."""
    ascending = current == key
    descending = current == f"-{key}"
    if ascending:
        next_sort, aria = f"-{key}", "ascending"
    elif descending:
        next_sort, aria = key, "descending"
    else:
        # Names read best A→Z; scores are most useful highest first.
        next_sort, aria = (key if key == "name" else f"-{key}"), "none"
    return {"label": label, "next_sort": next_sort, "aria_sort": aria}


@tutor_required
def class_view(request, pk: int):
    """Marking points the cohort misses most (a page at a time) and its common misconceptions."""
    cohort = selectors.cohort_for_tutor(request.user, pk)
    page = Paginator(selectors.missed_points(cohort), POINTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cohorts/class_view.html",
        {
            "cohort": cohort,
            "page": page,
            "points": selectors.point_summaries(page),
            "misconceptions": selectors.common_misconceptions(cohort),
        },
    )


@tutor_required
def cohort_answers(request, pk: int):
    cohort = selectors.cohort_for_tutor(request.user, pk)
    try:
        point_id = int(request.GET.get("point", "") or 0) or None
    except ValueError:
        point_id = None
    misconception = request.GET.get("misconception", "")[:2000]
    answers = selectors.cohort_answers(cohort, point_id=point_id, misconception=misconception)
    page = Paginator(answers, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/cohort_answers.html",
        {
            "cohort": cohort,
            "page": page,
            "misconception": misconception,
            "point_id": point_id,
            "filter_query": _query_without(request, "page"),
        },
    )


@tutor_required
def learner_detail(request, pk: int, learner_pk: int):
    cohort = selectors.cohort_for_tutor(request.user, pk)
    learner = selectors.learner_in_cohort(cohort, learner_pk)
    page = Paginator(selectors.learner_attempts(learner, cohort), ATTEMPTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cohorts/learner_detail.html",
        {"cohort": cohort, "learner": learner, "page": page, "attempts": page.object_list},
    )


@tutor_required
def override(request, response_pk: int):
    """Set (or remove) the tutor's mark on one answer, with a comment for the learner."""
    response = selectors.response_for_tutor(request.user, response_pk)
    initial = {}
    if response.override_awarded is not None:
        initial = {
            "awarded": "yes" if response.override_awarded else "no",
            "comment": response.override_comment,
        }
    next_url = (request.POST if request.method == "POST" else request.GET).get("next", "")
    if not _is_safe_next(request, next_url):
        next_url = ""
    form = OverrideForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            override_mark(
                response=response,
                tutor=request.user,
                awarded=form.cleaned_data["awarded"],
                comment=form.cleaned_data["comment"],
            )
        except QuizError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Mark saved. The learner sees it on their results.")
        return redirect(next_url or "cohorts:queue")
    return render(
        request,
        "cohorts/override.html",
        {
            "response": response,
            "form": form,
            "history": response.override_log.select_related("tutor")[:20],
            "next": next_url,
        },
    )


def _is_safe_next(request, url: str) -> bool:
    """True for a page on this site (Django's check: same host, no scheme tricks such as
    ``/\\evil.example`` or embedded control characters)."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@tutor_required
def queue(request):
    """The review queue, grouped by question with its rubric beside it, filterable, with the
    automatic marks of a selection accepted in one go (the tutor stays on the same page)."""
    form = QueueFilterForm(
        request.GET or None,
        cohorts=Cohort.objects.taught_by(request.user).values_list("pk", "name"),
        topics=selectors.queue_topics(request.user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    waiting = selectors.review_queue(
        request.user,
        cohort_id=filters.get("cohort"),
        topic_id=filters.get("topic"),
        question_id=filters.get("question"),
    )
    if request.method == "POST":
        chosen = [v for v in request.POST.getlist("accept") if v.isdigit()]
        count = accept_as_marked(responses=waiting.filter(pk__in=chosen), tutor=request.user)
        if count:
            messages.success(
                request, f"Accepted {count} automatic mark(s); they now teach the marker."
            )
        else:
            messages.info(request, "Tick the answers whose automatic mark you accept.")
        return redirect(request.get_full_path())
    page = Paginator(waiting, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    query = _query_without(request, "page")
    return render(
        request,
        "cohorts/queue.html",
        {"page": page, "form": form, "query": query, "filtered": bool(filters)},
    )


@tutor_required
def export(request, pk: int, kind: str):
    cohort = selectors.cohort_for_tutor(request.user, pk)
    builders = {
        "points": exports.point_rows,
        "answers": exports.answer_rows,
        "report": exports.report_rows,
    }
    if kind not in builders:
        raise Http404("No such export.")
    rows = builders[kind](cohort)
    return exports.csv_response(rows, filename=f"{slugify(cohort.name) or 'cohort'}-{kind}.csv")


@tutor_required
def report(request, pk: int):
    """The cohort report to print or save as PDF: every learner (a page of them at a time)
    against every topic in scope, the topics split into tables that fit across a sheet."""
    cohort = selectors.cohort_for_tutor(request.user, pk)
    heatmap = selectors.cohort_report(cohort, learner_page=request.GET.get("page"))
    return render(
        request,
        "cohorts/report.html",
        {
            "cohort": cohort,
            "heatmap": heatmap,
            "page": heatmap.learners,
            "sheets": selectors.report_sheets(heatmap),
            "printed_at": timezone.now(),
        },
    )


@tutor_required
def members(request, pk: int):
    cohort = selectors.cohort_for_tutor(request.user, pk)
    memberships = (
        CohortMembership.objects.active()
        .filter(cohort=cohort)
        .select_related("learner")
        .order_by("learner__username")
    )
    return render(
        request,
        "cohorts/members.html",
        {
            "cohort": cohort,
            "memberships": Paginator(memberships, 50).get_page(request.GET.get("page")),
            "tutors": cohort.tutors.order_by("username"),
            "add_form": AddLearnerForm(),
            "csv_form": MemberCsvForm(),
            "tutor_form": CoTutorForm(),
            "report": None,
        },
    )


@tutor_required
@require_POST
def add_member(request, pk: int):
    """Invite a learner. The answer is the same whether or not the account exists (or is a
    tutor's, or already a member), so the form cannot be used to find out who has one."""
    cohort = selectors.cohort_for_tutor(request.user, pk)
    form = AddLearnerForm(request.POST)
    if form.is_valid():
        services.invite_learner(
            cohort=cohort, identifier=form.cleaned_data["identifier"], invited_by=request.user
        )
        messages.info(request, INVITATION_SENT)
    else:
        messages.error(request, "Enter a username or e-mail address.")
    return redirect("cohorts:members", pk=pk)


INVITATION_SENT = (
    "If a learner has an account with that username or e-mail address, they will see an "
    "invitation to this cohort next time they visit, and join it if they accept."
)


@tutor_required
@require_POST
def upload_members(request, pk: int):
    cohort = selectors.cohort_for_tutor(request.user, pk)
    form = MemberCsvForm(request.POST, request.FILES)
    report, problems = None, []
    if form.is_valid():
        try:
            report = services.invite_learners_from_csv(
                cohort=cohort, data=form.cleaned_data["file"].read(), invited_by=request.user
            )
        except services.MemberFileError as error:
            problems = error.problems
        except services.CohortError as error:
            problems = [str(error)]
    else:
        problems = form.errors.get("file", ["Choose a CSV file."])
    return render(
        request,
        "cohorts/members_report.html",
        {"cohort": cohort, "report": report, "problems": problems},
    )


@tutor_required
def remove_member(request, pk: int, learner_pk: int):
    """Confirm, then take the learner out of the cohort; their work is kept."""
    cohort = selectors.cohort_for_tutor(request.user, pk)
    learner = selectors.learner_in_cohort(cohort, learner_pk)
    if request.method == "POST":
        services.remove_learner(cohort=cohort, learner=learner)
        messages.success(request, f"{learner.username} was removed from {cohort.name}.")
        return redirect("cohorts:members", pk=pk)
    return render(request, "cohorts/confirm_remove.html", {"cohort": cohort, "learner": learner})


@tutor_required
def regenerate_code(request, pk: int):
    cohort = selectors.cohort_for_tutor(request.user, pk)
    if request.method == "POST":
        code = services.regenerate_join_code(cohort=cohort)
        messages.success(request, f"New join code: {code}. The old code no longer works.")
        return redirect("cohorts:members", pk=pk)
    return render(request, "cohorts/confirm_regenerate.html", {"cohort": cohort})


@tutor_required
@require_POST
def add_tutor(request, pk: int):
    cohort = selectors.cohort_for_tutor(request.user, pk)
    form = CoTutorForm(request.POST)
    if form.is_valid():
        try:
            services.add_co_tutor(cohort=cohort, username=form.cleaned_data["username"])
        except services.CohortError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"{form.cleaned_data['username']} now co-teaches this cohort."
            )
    return redirect("cohorts:members", pk=pk)


# --- a learner's own cohorts -------------------------------------------------------------------


@login_required
def my_cohorts(request):
    """The cohorts the signed-in learner is in (with what their tutors see and a way to leave)
    and the invitations waiting for them."""
    return render(
        request,
        "cohorts/my_cohorts.html",
        {
            "memberships": selectors.learner_memberships(request.user),
            "invitations": selectors.pending_invitations(request.user),
            "accept_form": AcceptInvitationForm(),
        },
    )


def _my_invitation(request, pk: int) -> CohortInvitation:
    return get_object_or_404(
        CohortInvitation.objects.select_related("cohort", "learner", "invited_by"),
        pk=pk,
        learner=request.user,
        status=CohortInvitation.Status.PENDING,
    )


@login_required
@require_POST
def accept_invitation(request, pk: int):
    invitation = _my_invitation(request, pk)
    form = AcceptInvitationForm(request.POST)
    form.is_valid()  # one optional tick box: always valid
    try:
        cohort = services.accept_invitation(
            invitation=invitation,
            share_earlier_answers=form.cleaned_data.get("share_earlier_answers", False),
        )
    except services.CohortError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You have joined {cohort.name}.")
    return redirect("my_cohorts:list")


@login_required
@require_POST
def decline_invitation(request, pk: int):
    invitation = _my_invitation(request, pk)
    services.decline_invitation(invitation=invitation)
    messages.info(request, f"You declined the invitation to {invitation.cohort.name}.")
    return redirect("my_cohorts:list")


@login_required
def leave_cohort(request, pk: int):
    """Confirm, then leave a cohort: its tutors no longer see the learner; their work stays."""
    membership = get_object_or_404(
        CohortMembership.objects.active().select_related("cohort"),
        cohort_id=pk,
        learner=request.user,
    )
    if request.method == "POST":
        services.remove_learner(cohort=membership.cohort, learner=request.user)
        messages.success(request, f"You have left {membership.cohort.name}.")
        return redirect("my_cohorts:list")
    return render(request, "cohorts/confirm_leave.html", {"cohort": membership.cohort})
