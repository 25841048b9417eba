"""Sign-up, profile, joining cohorts, and a learner's own data."""

import json
import unicodedata
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from accounts.client_address import client_address
from accounts.forms import DeleteAccountForm, JoinCohortForm, ProfileForm, SignUpForm
from accounts.services import (
    AccountDeletionRefused,
    delete_account,
    deletion_refusals,
    export_personal_data,
    register_learner,
    reset_request_allowed,
)
from accounts.tasks import send_taken_address_notice
from cohorts.models import CohortMembership
from cohorts.services import CohortError, join_cohort


def signup(request):
    if request.user.is_authenticated:
        return redirect("assessments:home")
    form = SignUpForm(request.POST or None, initial={"join_code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        user = register_learner(
            username=form.cleaned_data["username"],
            email=email,
            password=form.cleaned_data["password1"],
            cohort=form.cleaned_data["join_code"],
        )
        if email and not user.email:
            # The address belongs to another account: the page answers as for any sign-up
            # and the owner hears about it by e-mail, so sign-up reveals no one's address.
            send_taken_address_notice.delay(
                email,
                request.build_absolute_uri(reverse("login")),
                request.build_absolute_uri(reverse("password_reset")),
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
    response["Content-Disposition"] = attachment_header(
        f"revision-portal-{request.user.get_username()}.json"
    )
    return response


def attachment_header(filename: str) -> str:
    """``Content-Disposition`` for a download (RFC 6266): a plain ``filename`` when the name is
    ASCII; otherwise an ASCII approximation for old clients and ``filename*`` with the real
    name, UTF-8 and percent-encoded."""
    if filename.isascii():
        return content_disposition_header(True, filename)
    fallback = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "download"
    )
    fallback = fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(filename)}"


@login_required
def delete(request):
    """Confirm with the password, then delete the account and everything in it."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    refusals = deletion_refusals([request.user])
    if request.method == "POST" and not refusals and form.is_valid():
        user = request.user
        try:
            delete_account(user=user)
        except AccountDeletionRefused as refused:  # things changed since the check above
            refusals = refused.reasons
        else:
            logout(request)
            messages.success(request, "Your account and all your answers have been deleted.")
            return redirect("topics:home")
    return render(request, "accounts/delete.html", {"form": form, "refusals": refusals})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request page, limited per account and per client address
    (``reset_request_allowed``). Over a limit nothing is sent, and the answer is the same
    "check your e-mail" page, so the limit says nothing about whether the account exists."""

    def form_valid(self, form):
        if reset_request_allowed(
            email=form.cleaned_data["email"], address=client_address(self.request)
        ):
            return super().form_valid(form)
        return redirect(self.get_success_url())
