"""Sign-up, profile, joining cohorts, and a learner's own data."""

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import DeleteAccountForm, JoinCohortForm, ProfileForm, SignUpForm
from accounts.services import delete_account, export_personal_data, register_learner
from cohorts.models import CohortMembership
from cohorts.services import CohortError, join_cohort


def signup(request):
    if request.user.is_authenticated:
        return redirect("assessments:home")
    form = SignUpForm(request.POST or None, initial={"join_code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        user = register_learner(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            cohort=form.cleaned_data["join_code"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        cohort = form.cleaned_data["join_code"]
        welcome = "Welcome! Your account is ready."
        if cohort:
            welcome += f" You have joined {cohort.name}."
        messages.success(request, welcome)
        return redirect("assessments:home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details are saved.")
        return redirect("accounts:profile")
    memberships = (
        CohortMembership.objects.active().filter(learner=request.user).select_related("cohort")
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "join_form": JoinCohortForm(),
            "memberships": memberships,
            # ``is_tutor`` comes from the context processor, answered by the navigation's
            # unread-count query (notifications.selectors.unread_count).
        },
    )


@login_required
@require_POST
def join(request):
    form = JoinCohortForm(request.POST)
    if form.is_valid():
        try:
            cohort = join_cohort(learner=request.user, code=form.cleaned_data["code"])
        except CohortError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"You have joined {cohort.name}.")
    else:
        messages.error(request, "Enter the join code your tutor gave you.")
    return redirect("accounts:profile")


@login_required
def my_data(request):
    """Download everything the portal holds about the signed-in user, as JSON."""
    data = export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="revision-portal-{request.user.username}.json"'
    )
    return response


@login_required
def delete(request):
    """Confirm with the password, then delete the account and everything in it."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user=user)
        messages.success(request, "Your account and all your answers have been deleted.")
        return redirect("topics:home")
    return render(request, "accounts/delete.html", {"form": form})
