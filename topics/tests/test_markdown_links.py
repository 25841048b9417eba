"""Links in admin-written Markdown (issue 14 item 15): links to other sites carry
``rel="noopener nofollow"``, a class and visually-hidden "(external link)" text; the site's own
links are left plain."""

import re

import pytest

from topics.templatetags.topic_text import markdown_to_safe_html


def anchors(html: str) -> list[str]:
    return re.findall(r"<a\s[^>]*>.*?</a>", html, re.DOTALL)


@pytest.mark.parametrize(
    "markdown",
    [
        "See [Ofqual](https://www.gov.uk/ofqual).",
        'See [Ofqual](https://www.gov.uk/ofqual "The regulator").',
        "See <https://www.gov.uk/ofqual>.",
        'See <a href="https://www.gov.uk/ofqual" rel="opener" class="btn">Ofqual</a>.',
        "See [Ofqual](//www.gov.uk/ofqual).",
        "See [Ofqual](HTTP://WWW.GOV.UK/ofqual).",
    ],
    ids=["inline", "titled", "autolink", "raw html", "protocol-relative", "capitals"],
)
def test_a_link_to_another_site_is_marked_external(markdown):
    (link,) = anchors(markdown_to_safe_html(markdown))
    rel = re.search(r'rel="([^"]*)"', link)[1].split()
    assert {"noopener", "nofollow"} <= set(rel)
    assert "opener" not in rel
    assert 'class="external-link"' in link
    assert '<span class="visually-hidden"> (external link)</span></a>' in link
    assert "btn" not in link


@pytest.mark.parametrize(
    "markdown",
    [
        "Back to [the topic list](/).",
        "See [this topic](/topics/customer-loyalty/#marking-points).",
        "See [the section](#marking-points).",
        "See [our site](http://localhost/topics/).",
        "Write to [the office](mailto:office@example.ac.uk).",
    ],
    ids=["root", "path", "fragment", "own host", "mailto"],
)
def test_the_sites_own_links_are_left_plain(markdown):
    (link,) = anchors(markdown_to_safe_html(markdown))
    assert "rel=" not in link
    assert "external" not in link


def test_several_links_in_one_paragraph_are_each_judged():
    html = markdown_to_safe_html(
        "[One](https://one.example) then [home](/) then [two](https://two.example/a?b=1&c=>d)"
    )
    first, home, second = anchors(html)
    assert "external-link" in first and "external-link" in second
    assert "external" not in home
    assert 'href="https://two.example/a?b=1&amp;c=&gt;d"' in second


@pytest.mark.django_db
def test_an_external_link_on_the_topic_page_is_marked(client):
    from topics.tests.factories import TopicFactory

    topic = TopicFactory(
        synopsis="Read [the standard](https://www.instituteofcustomerservice.com)."
    )
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "(external link)</span></a>" in html
    assert 'rel="noopener nofollow' in html or 'rel="noopener noreferrer nofollow' in html


def test_the_reused_converter_keeps_nothing_from_one_text_to_the_next():
    """The converter is built once per thread and reset before each text: a link reference
    defined in one text must not turn a later text's brackets into a link."""
    defines = "Read [the guide][guide].\n\n[guide]: https://www.gov.uk/guide"
    uses_only = "Read [the guide][guide]."
    assert len(anchors(markdown_to_safe_html(defines))) == 1
    assert anchors(markdown_to_safe_html(uses_only)) == []
    assert markdown_to_safe_html(uses_only) == "<p>Read [the guide][guide].</p>"


def test_the_reused_converter_gives_what_a_fresh_one_gives():
    import markdown as markdown_lib

    from topics.templatetags import topic_text

    texts = ["* one\n* two", "1. a\n2. b\n\nText with **bold**.", "Plain", "", "`code` <b>x</b>"]
    for _ in range(2):
        for text in texts:
            fresh = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
            assert topic_text._converter().convert(text) == fresh
