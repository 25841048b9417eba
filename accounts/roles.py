"""Who is who. Roles are Django groups (created by a data migration), so an operator manages
them in the admin; superusers are admins and may do everything."""

LEARNERS_GROUP = "Learners"
TUTORS_GROUP = "Tutors"

# What the Tutors group may do in the admin: edit the question bank, read topic content. The
# roles migration grants these when it makes the group; ``make_tutor`` grants them again if the
# group has to be made afresh (a database restored or flushed without it).
TUTOR_PERMISSIONS = (
    ("assessments", "view_question"),
    ("assessments", "add_question"),
    ("assessments", "change_question"),
    ("assessments", "view_indicator"),
    ("assessments", "add_indicator"),
    ("assessments", "change_indicator"),
    ("assessments", "delete_indicator"),
    ("topics", "view_topic"),
    ("topics", "view_markingpoint"),
)


def is_tutor(user) -> bool:
    """Tutors (and admins) may use the tutor pages. Cached on the user for the request."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_tutor", None)
    if cached is None:
        cached = user.groups.filter(name=TUTORS_GROUP).exists()
        user._is_tutor = cached
    return cached
