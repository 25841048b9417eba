from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import migrations


def index_and_fill(apps, schema_editor):
    """PostgreSQL only: a GIN index on the vector, and vectors for the topics already there."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS topics_topic_search_vector_gin "
        "ON topics_topic USING gin (search_vector)"
    )
    Topic = apps.get_model("topics", "Topic")
    Topic.objects.update(
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("search_document", weight="B", config="english")
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS topics_topic_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0002_content_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="search_vector",
            field=SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_fill, drop_index),
    ]
