"""Every background job of the project retries database errors under one policy."""

from revision_portal.celery import RETRY_ON_DATABASE_ERRORS, app


def test_every_project_task_retries_database_errors_the_same_way():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"assessments.mark_attempt", "notifications.send_pending_emails"} <= set(ours)
    for name, task in ours.items():
        for option, value in RETRY_ON_DATABASE_ERRORS.items():
            assert getattr(task, option) == value, f"{name}: {option} is {getattr(task, option)!r}"
