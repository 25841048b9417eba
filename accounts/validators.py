"""Usernames and e-mail addresses: one spelling per person.

Usernames are NFKC-normalised by Django (``AbstractBaseUser.normalize_username``: full-width
letters and ligatures become plain ones) and limited to letters, digits and ``@.+-_`` by
``UnicodeUsernameValidator``. That still lets a Cyrillic "е" stand in for a Latin "e", so a
look-alike of someone's username could be registered. ``validate_username_script`` refuses a
username that mixes Latin letters with Cyrillic or Greek ones: the scripts whose letters are
mistaken for each other. A username wholly in one script (``иван``, ``Δήμητρα``) is fine.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError

CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def letter_scripts(text: str) -> set[str]:
    """The scripts (among Latin, Cyrillic, Greek) of the letters in ``text``."""
    scripts = set()
    for char in text:
        if not char.isalpha():
            continue
        script = unicodedata.name(char, "").split(" ", 1)[0]
        if script in CONFUSABLE_SCRIPTS:
            scripts.add(script)
    return scripts


def validate_username_script(username: str) -> None:
    """Refuse a username mixing Latin letters with Cyrillic or Greek letters."""
    scripts = letter_scripts(unicodedata.normalize("NFKC", username))
    if "LATIN" in scripts and len(scripts) > 1:
        others = " and ".join(sorted(s.title() for s in scripts - {"LATIN"}))
        raise ValidationError(
            f"This username mixes Latin letters with {others} letters, which can look the same "
            "as another person's name. Use letters from one alphabet.",
            code="mixed_script",
        )


def normalise_email(email: str) -> str:
    """Strip spaces and lower-case the domain (the part after the last ``@``); the local part
    keeps its case, but addresses are compared case-insensitively everywhere."""
    return BaseUserManager.normalize_email((email or "").strip())
