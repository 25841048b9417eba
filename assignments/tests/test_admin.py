import pytest
from django.urls import reverse

from assessments.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "assignments_assignment",
    "assignments_assignmentattempt",
    "notifications_notification",
    "notifications_emailpreference",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_search_and_add_pages_answer(client, model):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model}_changelist"), {"q": "x"}).status_code == 200
    assert client.get(reverse(f"admin:{model}_add")).status_code == 200
