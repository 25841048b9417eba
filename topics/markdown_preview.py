"""The admin's Markdown preview: a textarea with the text rendered beside it as the site will
show it.

The preview is rendered by the site's own filters (``topics.templatetags.topic_text``), with
the same nh3 sanitising, so what an editor sees is what learners will see. The server renders
it when the form is drawn (so it shows without JavaScript, from the saved text);
``static/js/markdown_preview.js`` refreshes it while the editor types, through the staff-only
endpoint ``TopicAdmin.markdown_preview_view``.
"""

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from topics.templatetags.topic_text import render_markdown, render_markdown_inline

# Longer text is not previewed live (the largest synopsis in the seeds is a few thousand
# characters); the preview drawn after saving still shows it.
PREVIEW_MAX_CHARS = 20_000


def preview_html(text: str, *, inline: bool) -> str:
    """``text`` rendered and sanitised exactly as the topic page renders it: block Markdown
    (the synopsis) or the inline form used for list items and table cells (section entries)."""
    return render_markdown_inline(text) if inline else render_markdown(text)


def preview_problem(text: str) -> str | None:
    """Why ``text`` cannot be previewed live, or None."""
    if len(text) > PREVIEW_MAX_CHARS:
        return (
            f"The preview is limited to {PREVIEW_MAX_CHARS:,} characters and this text has "
            f"{len(text):,}: save to see it as the site shows it."
        )
    return None


class MarkdownPreviewTextarea(forms.Textarea):
    """A textarea for Markdown with its rendered preview beside it (``inline`` for section
    entries, which the site renders without a paragraph wrapper).

    Drawn in Python rather than from a template: Django's form renderer reads widget templates
    from the apps only, not from the project's templates folder."""

    class Media:
        js = ["js/markdown_preview.js"]
        css = {"all": ["css/admin_topics.css"]}

    def __init__(self, attrs=None, *, inline: bool = False):
        defaults = {"rows": 3 if inline else 6, "cols": 60 if inline else 80}
        super().__init__({**defaults, **(attrs or {})})
        self.inline = inline

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {
            **(attrs or {}),
            "data-preview-url": reverse("admin:topics_markdown_preview"),
            "data-preview-mode": "inline" if self.inline else "block",
        }
        textarea = super().render(name, value, attrs, renderer)
        text = value or ""
        rendered = "" if preview_problem(text) else preview_html(text, inline=self.inline)
        return format_html(
            '<div class="markdown-field{}">{}'
            '<div class="markdown-preview"><p class="markdown-preview-label">{}</p>'
            '<div class="markdown-preview-body">{}</div>'
            '<p class="markdown-preview-status" role="status"></p></div></div>',
            " markdown-field-inline" if self.inline else "",
            textarea,
            "Preview, as on the site",
            rendered,
        )
