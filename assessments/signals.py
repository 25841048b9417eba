"""What assessments does when another app announces a change (docs/decisions/0012).

The question bank is generated from a topic's content, so it follows every change to it: the
topics app sends ``topic_content_changed`` inside the writer's transaction and the bank is
synced there, atomically with the content.
"""

from topics.signals import topic_content_changed


def _sync_question_bank(sender, topic, **kwargs) -> None:
    from assessments.services import sync_question_bank

    sync_question_bank(topic=topic)


def connect() -> None:
    topic_content_changed.connect(_sync_question_bank, dispatch_uid="assessments-question-bank")
