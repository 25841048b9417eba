from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from cohorts.services import find_cohort_by_code

User = get_user_model()


class SignUpForm(UserCreationForm):
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
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this e-mail address. Log in, or reset your password."
            )
        return email

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


class ProfileForm(forms.ModelForm):
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
