from django import template

from notifications.forms import EmailPreferenceForm
from notifications.selectors import wants_email

register = template.Library()


@register.inclusion_tag("notifications/_email_preference.html")
def email_preference_form(user):
    """The e-mail opt-out box for the profile page (one query)."""
    return {"form": EmailPreferenceForm(initial={"email_notifications": wants_email(user)})}
