"""Create the Learners and Tutors groups with their permissions, so an operator only needs
`createsuperuser` and the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TUTOR_PERMISSIONS = [
    # Tutors edit the question bank (prompts, rubrics, indicators, model answers) in the admin.
    ("assessments", "view_question"),
    ("assessments", "add_question"),
    ("assessments", "change_question"),
    ("assessments", "view_indicator"),
    ("assessments", "add_indicator"),
    ("assessments", "change_indicator"),
    ("assessments", "delete_indicator"),
    ("topics", "view_topic"),
    ("topics", "view_markingpoint"),
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name="Learners")
    tutors, _ = Group.objects.get_or_create(name="Tutors")
    for app_label, codename in TUTOR_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        tutors.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Learners", "Tutors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("assessments", "0001_initial"),
        ("topics", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
