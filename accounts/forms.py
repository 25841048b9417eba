from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.validators import normalise_email, validate_username_script
from cohorts.services import find_cohort_by_code

User = get_user_model()


class UsernameScriptMixin:
    """Usernames arrive NFKC-normalised (Django's ``UsernameField``); refuse look-alike mixes."""

    def clean_username(self):
        parent = getattr(super(), "clean_username", None)
        username = parent() if parent else self.cleaned_data.get("username")
        if username:
            validate_username_script(username)
        return username


class UniqueEmailMixin:
    """E-mail addresses are normalised and unique ignoring case (a database index enforces it:
    accounts migration 0002). For forms that edit an existing account."""

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data.get("email", ""))
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email


class SignUpForm(UsernameScriptMixin, UserCreationForm):
    email = forms.EmailField(
        label="E-mail address", help_text="For password resets. Never shown to other learners."
    )
    join_code = forms.CharField(
        label="Cohort join code (optional)",
        required=False,
        max_length=16,
        help_text="From your tutor: 8 letters and digits.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_email(self) -> str:
        # Whether an account already has this address is not said here: sign-up answers the
        # same either way and the address's owner is told by e-mail (accounts.views.signup).
        return normalise_email(self.cleaned_data["email"])

    def clean_join_code(self):
        code = self.cleaned_data["join_code"].strip()
        if not code:
            return None
        cohort = find_cohort_by_code(code)
        if cohort is None:
            raise forms.ValidationError(
                "That join code does not match any cohort. Check it with your tutor, or leave "
                "it empty and join later from your profile."
            )
        return cohort


class JoinCohortForm(forms.Form):
    code = forms.CharField(label="Cohort join code", max_length=16)


class ProfileForm(UniqueEmailMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password, to confirm", widget=forms.PasswordInput, strip=False
    )
    confirm = forms.BooleanField(
        label="I understand that my account, answers and progress will be deleted for good."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class AdminUserCreationForm(UsernameScriptMixin, auth_forms.AdminUserCreationForm):
    pass


class AdminUserChangeForm(UsernameScriptMixin, UniqueEmailMixin, UserChangeForm):
    pass
