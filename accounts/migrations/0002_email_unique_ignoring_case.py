"""E-mail addresses unique ignoring case (issue 14, item 8).

Django's ``auth.User`` is not ours to add a constraint to in its model state, so the unique
index is created with SQL that PostgreSQL and SQLite both accept: an expression index on
``LOWER(email)``, partial so that any number of accounts may have no address. Existing rows are
normalised first; duplicates are resolved as ``_email_fixes.plan`` describes.
"""

from django.db import migrations

from accounts.migrations import _email_fixes


def normalise_existing(apps, schema_editor):
    User = apps.get_model("auth", "User")
    changes = _email_fixes.plan(User.objects.values_list("pk", "email"))
    for user_id, email in changes.items():
        User.objects.filter(pk=user_id).update(email=email)
    cleared = sorted(pk for pk, email in changes.items() if not email)
    if cleared:
        print(  # shown once, to the operator running migrate
            f"\n  accounts.0002: cleared a duplicate e-mail address on user ids {cleared}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(normalise_existing, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX accounts_user_email_ci_unique ON auth_user (LOWER(email)) "
            "WHERE email <> ''",
            "DROP INDEX accounts_user_email_ci_unique",
        ),
    ]
