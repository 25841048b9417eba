"""Generate realistic seed documents by varying the five real ones in seeds/.

Pure Python (no Django): every generated file keeps the layout of the seed it was made from
(Format A: plain headings and "- " bullets; Format B: the scraped page with "•" bullets), gets a
unique title, and has its bullet sections re-drawn from the pool of real bullets of that kind
(key concepts, exam tips, mistakes, marking points…) across all five seeds, so the parser, the
rubric builder and the marker see the same kind of text as in production.

    python bench/seedgen.py OUT_DIR --count 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# Section headings (lower-case) → the kind of bullet they hold.
SECTION_KINDS = {
    "key concepts & core principles": "concepts",
    "key concepts": "concepts",
    "exam tips & revision strategies": "tips",
    "assessment guidance": "tips",
    "common misconceptions & mistakes to avoid": "mistakes",
    "common mistakes": "mistakes",
    "examiner marking points": "points",
    "assessment criteria": "points",
    "learning objectives": "objectives",
    "before you start": "prerequisites",
    "key terminology": "terms",
    "frequently asked questions": "faq",
}
# Kinds whose bullets are shared between the two formats; the rest stay with their format.
SHARED_KINDS = {"concepts", "tips", "mistakes", "points"}

THEMES = [
    "complaint handling",
    "customer retention",
    "service recovery",
    "measuring customer satisfaction",
    "handling difficult conversations",
    "customer relationship management",
    "digital customer service",
    "service standards and quality",
    "teamwork in customer service",
    "equality and accessibility for customers",
    "data protection in customer service",
    "building customer loyalty",
    "customer feedback and improvement",
    "communicating with customers",
    "managing customer expectations",
    "leading a customer service team",
]
SECTORS = [
    "retail",
    "hospitality",
    "banking",
    "contact centres",
    "public services",
    "healthcare reception",
    "travel and tourism",
    "utilities",
    "telecommunications",
    "leisure centres",
]


@dataclass
class Template:
    name: str
    text: str
    fmt: str  # "A" or "B"


def _is_bullet(line: str, fmt: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("- ") if fmt == "A" else stripped.startswith("•")


def _bullet_text(line: str) -> str:
    stripped = line.strip()
    stripped = stripped[2:] if stripped.startswith("- ") else stripped.lstrip("•")
    return stripped.replace("💡", "").strip()


def _format_bullet(text: str, fmt: str, kind: str) -> str:
    if fmt == "A":
        return f"- {text}"
    return f"    • {'💡' if kind == 'tips' else ''}{text}"


def load_templates(seeds_dir: Path = SEEDS) -> list[Template]:
    templates = []
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        fmt = "B" if "•" in text else "A"
        templates.append(Template(path.name, text, fmt))
    if not templates:
        raise SystemExit(f"no seed documents in {seeds_dir}")
    return templates


def _sections(lines: list[str], fmt: str):
    """Yield (kind, start, end) for each run of bullet lines, kind from the nearest heading."""
    kind = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if _is_bullet(line, fmt):
            start = index
            while index < len(lines) and _is_bullet(lines[index], fmt):
                index += 1
            yield kind, start, index
            continue
        heading = SECTION_KINDS.get(line.strip().lower())
        if heading:
            kind = heading
        index += 1


def bullet_pools(templates: list[Template]) -> dict[tuple[str, str], list[str]]:
    pools: dict[tuple[str, str], list[str]] = {}
    for template in templates:
        lines = template.text.splitlines()
        for kind, start, end in _sections(lines, template.fmt):
            if kind is None:
                continue
            key = ("*", kind) if kind in SHARED_KINDS else (template.fmt, kind)
            pool = pools.setdefault(key, [])
            for line in lines[start:end]:
                text = _bullet_text(line)
                if text and text not in pool:
                    pool.append(text)
    return pools


def _title_b(template: Template) -> str:
    first = template.text.splitlines()[0]
    return first.split("iCan Qualifications")[0].strip()


def make_document(
    number: int, template: Template, pools: dict, rng: random.Random
) -> tuple[str, str]:
    """A new seed document (file name, text) made from ``template``."""
    theme = THEMES[number % len(THEMES)]
    sector = SECTORS[(number // len(THEMES)) % len(SECTORS)]
    subject = f"{theme} in {sector} (unit {number + 1})"
    lines = template.text.splitlines()
    out: list[str] = []
    previous_end = 0
    for kind, start, end in _sections(lines, template.fmt):
        out.extend(lines[previous_end:start])
        previous_end = end
        if kind is None:
            out.extend(lines[start:end])
            continue
        key = ("*", kind) if kind in SHARED_KINDS else (template.fmt, kind)
        pool = pools.get(key) or [_bullet_text(line) for line in lines[start:end]]
        size = end - start
        if kind == "points":
            size = rng.randint(3, 5)
        else:
            size = max(1, min(len(pool), size + rng.randint(-1, 1)))
        seen_terms: set[str] = set()
        for text in rng.sample(pool, len(pool)):
            # One bullet per term: a document naming the same concept twice is not realistic.
            term = text.split(":", 1)[0].strip().lower() if kind == "concepts" else text.lower()
            if term in seen_terms:
                continue
            seen_terms.add(term)
            out.append(_format_bullet(text, template.fmt, kind))
            if len(seen_terms) >= size:
                break
    out.extend(lines[previous_end:])
    text = "\n".join(out)

    if template.fmt == "A":
        # The title is derived from the synopsis's first sentence: give each document its own.
        for index, line in enumerate(out):
            if line.strip().lower() == "topic synopsis" and index + 1 < len(out):
                synopsis = out[index + 1]
                rest = re.split(r"(?<=[.!?])\s+", synopsis, maxsplit=1)
                tail = rest[1] if len(rest) > 1 else ""
                new_synopsis = f"This subtopic explores {subject}. {tail}".strip()
                out[index + 1] = new_synopsis
                out[0] = new_synopsis[:150]
                break
        text = "\n".join(out)
    else:
        old_title = _title_b(template)
        new_title = subject[0].upper() + subject[1:]
        text = text.replace(old_title, new_title)
    name = f"{number:04d}_bench_{template.name.split('_')[0]}.txt"
    return name, text + ("\n" if template.text.endswith("\n") else "")


def generate(out_dir: Path, count: int, *, seed: int = 1) -> list[Path]:
    templates = load_templates()
    pools = bullet_pools(templates)
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        template = templates[number % len(templates)]
        name, text = make_document(number, template, pools, rng)
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.count, seed=args.seed)
    print(f"{len(paths)} seed documents written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
