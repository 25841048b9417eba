"""A user's own notifications. Another user's notification is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.forms import EmailPreferenceForm

PER_PAGE = 25


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


def _safe_next(request, default: str) -> str:
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    return default


@login_required
@require_POST
def mark_read(request, pk: int):
    if not services.mark_read(user=request.user, notification_id=pk):
        raise Http404("No such notification.")
    return redirect(_safe_next(request, "notifications:list"))


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:list")


@login_required
@require_POST
def email_preference(request):
    form = EmailPreferenceForm(request.POST)
    form.is_valid()  # a lone checkbox: absent means off, which is always valid
    wanted = bool(form.cleaned_data.get("email_notifications"))
    services.set_email_preference(user=request.user, email_notifications=wanted)
    messages.success(
        request,
        "You will get notifications by e-mail too."
        if wanted
        else "You will no longer get notifications by e-mail; they still appear in the portal.",
    )
    return redirect("accounts:profile")
