from django import forms


class EmailPreferenceForm(forms.Form):
    email_notifications = forms.BooleanField(
        required=False,
        label="E-mail me my notifications too",
        help_text="Marks and comments from your tutor, new assignments and reminders. They "
        "always appear under Notifications in the portal.",
    )
