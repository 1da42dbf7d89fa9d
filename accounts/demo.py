"""Demo users for `make run`: an admin, creators and a reader, with known passwords."""

from __future__ import annotations

from typing import TextIO

from django.contrib.auth.hashers import make_password

from accounts.models import User

DEMO_USERS = [
    # username, email, role, staff, password, bio
    ("admin", "admin@example.com", User.Role.READER, True, "admin-demo-pass", "Runs the site."),
    (
        "ada",
        "ada@example.com",
        User.Role.CREATOR,
        False,
        "creator-demo-pass",
        "Engineer and essayist. I write about software that lasts, and the people who keep it running.",
    ),
    (
        "grace",
        "grace@example.com",
        User.Role.CREATOR,
        False,
        "creator-demo-pass",
        "Field notes on cooking, gardening and the slow craft of growing food in a small city plot.",
    ),
    (
        "linus",
        "linus@example.com",
        User.Role.CREATOR,
        False,
        "creator-demo-pass",
        "Travel letters from trains and small towns, posted whenever the connection allows.",
    ),
    ("rita", "rita@example.com", User.Role.READER, False, "reader-demo-pass", "I read everything here."),
]


def seed(stdout: TextIO) -> dict[str, User]:
    users: dict[str, User] = {}
    created_any = False
    # Hashing is deliberately slow (about half a second each): the creators share a password, so hash it once.
    hashes: dict[str, str] = {}
    for username, email, role, staff, password, bio in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": email, "role": role, "is_staff": staff, "is_superuser": staff, "bio": bio},
        )
        if created:
            if password not in hashes:
                hashes[password] = make_password(password)
            user.password = hashes[password]
            user.save(update_fields=["password"])
            created_any = True
        users[username] = user
    stdout.write(
        "Demo accounts (log in at http://127.0.0.1:8000/accounts/login/):"
        if created_any
        else "Demo accounts already exist:"
    )
    for username, _email, role, staff, password, _bio in DEMO_USERS:
        kind = "admin (staff)" if staff else role
        stdout.write(f"  {kind:14} {username:8} password: {password}")
    return users
