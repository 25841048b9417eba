"""Every relative link in the README, CONTRIBUTING.md and docs/*.md reaches a file, and a link
with a ``#fragment`` into a Markdown file reaches one of its headings (GitHub's anchors)."""

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")])

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
# [text](target) and ![alt](target); the target ends at whitespace (an optional "title") or ")".
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def without_code(text: str) -> str:
    """The Markdown with fenced blocks and code spans removed: links inside code are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: Markdown emphasis, code ticks and link targets dropped,
    lower-cased, every character that is not a letter, digit, space, ``-`` or ``_`` removed,
    spaces turned into hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").replace("*", "")
    text = text.strip().lower()
    kept = "".join(
        char for char in text if char in " -_" or unicodedata.category(char)[0] in {"L", "N"}
    )
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file; repeated headings get ``-1``, ``-2`` as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        anchor = github_anchor(heading)
        if anchor in seen:
            seen[anchor] += 1
            anchor = f"{anchor}-{seen[anchor]}"
        else:
            seen[anchor] = 0
        found.add(anchor)
    return found


def relative_links(path: Path) -> list[str]:
    """The targets of the file's links that are neither absolute URLs nor e-mail addresses."""
    targets = LINK.findall(without_code(path.read_text(encoding="utf-8")))
    return [target for target in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def broken_links(path: Path) -> list[str]:
    """Each link of ``path`` that does not resolve, with the reason."""
    problems = []
    for target in relative_links(path):
        file_part, _, fragment = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            problems.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            problems.append(f"{target}: no heading #{fragment} in {resolved.name}")
    return problems


def test_the_documents_are_found():
    assert len(DOCUMENTS) >= 8
    assert all(document.exists() for document in DOCUMENTS)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves(document):
    assert broken_links(document) == []


def test_the_readme_links_every_document_in_docs():
    linked = {target.partition("#")[0] for target in relative_links(ROOT / "README.md")}
    docs = {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")}
    assert docs, "no documents in docs/"
    assert docs <= linked, f"not linked from the README: {sorted(docs - linked)}"


def test_the_checker_reports_a_missing_file_and_a_missing_heading(tmp_path):
    (tmp_path / "other.md").write_text("# Title\n\n## A section: with `code` (and 2 marks)\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#a-section-with-code-and-2-marks) [top](#here) "
        "[gone](missing.md) [bad anchor](other.md#nowhere) [web](https://example.com/x.md)\n"
        "`[in code](missing-too.md)`\n\n```\n[fenced](missing-three.md)\n```\n\n# Here\n"
    )

    assert broken_links(page) == [
        "missing.md: no such file",
        "other.md#nowhere: no heading #nowhere in other.md",
    ]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        (
            "Tutors teach the marker: exemplars (issue 11)",
            "tutors-teach-the-marker-exemplars-issue-11",
        ),
        ("Pipeline (`assessments/marking/`)", "pipeline-assessmentsmarking"),
        (
            "After the issue-13 merges (main 148154a), 1× only",
            "after-the-issue-13-merges-main-148154a-1-only",
        ),
        ("Revision: Today and flashcards", "revision-today-and-flashcards"),
    ],
)
def test_github_anchor(heading, anchor):
    assert github_anchor(heading) == anchor
