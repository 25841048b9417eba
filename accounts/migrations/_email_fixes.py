"""What migration 0002 changes in existing e-mail addresses, as a plain function (tested without
a database). Kept outside the numbered files: the migration loader skips names starting "_".
"""

from __future__ import annotations


def _normalise(email: str) -> str:
    email = (email or "").strip()
    local, at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if at else email


def plan(rows) -> dict[int, str]:
    """``rows``: (user id, e-mail) pairs. Returns {user id: new e-mail} for the rows to change:
    domains lower-cased, and where several accounts share an address ignoring case, the oldest
    account (lowest id) keeps it and the others' are cleared (they can add their own address
    on their profile; until then they cannot reset a password by e-mail)."""
    changes = {}
    owners = set()
    for user_id, email in sorted(rows):
        new = _normalise(email)
        if new:
            key = new.lower()
            if key in owners:
                new = ""
            else:
                owners.add(key)
        if new != email:
            changes[user_id] = new
    return changes
