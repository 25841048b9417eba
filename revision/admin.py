from django.contrib import admin

from revision.models import Card, ReviewLog, StudiedTopic


@admin.register(StudiedTopic)
class StudiedTopicAdmin(admin.ModelAdmin):
    list_display = ["learner", "topic", "source", "started_at"]
    list_filter = ["source"]
    search_fields = ["learner__username", "topic__title"]
    list_select_related = ["learner", "topic"]
    raw_id_fields = ["learner", "topic"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["learner", "topic", "kind", "state", "due", "last_review", "reps", "retired_at"]
    list_filter = ["kind", "state"]
    search_fields = ["learner__username", "topic__title", "content_key"]
    list_select_related = ["learner", "topic"]
    raw_id_fields = ["learner", "topic", "marking_point"]
    readonly_fields = ["state", "step", "stability", "difficulty", "due", "last_review", "reps"]


@admin.register(ReviewLog)
class ReviewLogAdmin(admin.ModelAdmin):
    list_display = ["card", "learner", "rating", "source", "reviewed_at", "duration_ms"]
    list_filter = ["source", "rating"]
    search_fields = ["learner__username"]
    list_select_related = ["card", "learner", "card__learner"]
    raw_id_fields = ["card", "learner", "response"]
