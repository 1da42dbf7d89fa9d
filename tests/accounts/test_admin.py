"""Staff run accounts from the Django admin: search, filter, change a role from the list."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


@pytest.fixture
def admin(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {user.username for user in response.context["cl"].result_list}


class TestSearch:
    def test_by_part_of_an_email(self, admin, alice, bob, carol) -> None:
        assert listed(admin.get(CHANGELIST, {"q": "bob@exam"})) == {"bob"}

    def test_by_username_in_any_case(self, admin, alice, bob, carol) -> None:
        assert listed(admin.get(CHANGELIST, {"q": "CAROL"})) == {"carol"}

    def test_the_page_shows_the_email_and_role_columns(self, admin, alice) -> None:
        r = admin.get(CHANGELIST, {"q": "alice"})
        assert b"alice@example.com" in r.content
        assert b"Creator" in r.content


class TestFilters:
    def test_by_role(self, admin, alice, bob, carol) -> None:
        assert listed(admin.get(CHANGELIST, {"role__exact": "creator"})) == {"alice", "carol"}
        assert listed(admin.get(CHANGELIST, {"role__exact": "reader"})) == {"bob", "sam"}  # sam: staff, a reader

    def test_by_staff(self, admin, alice, bob) -> None:
        assert listed(admin.get(CHANGELIST, {"is_staff__exact": "1"})) == {"sam"}

    def test_by_active(self, admin, alice, bob) -> None:
        bob.is_active = False
        bob.save()
        assert listed(admin.get(CHANGELIST, {"is_active__exact": "0"})) == {"bob"}
        assert "bob" not in listed(admin.get(CHANGELIST, {"is_active__exact": "1"}))


class TestEditRoleFromTheList:
    def test_staff_make_a_reader_a_creator_from_the_changelist(self, admin, alice, bob) -> None:
        page = admin.get(CHANGELIST, {"q": "bob"})
        formset = page.context["cl"].formset
        assert [f.instance.username for f in formset.forms] == ["bob"]
        data = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(bob.pk),
            "form-0-role": "creator",
            "_save": "Save",
        }

        r = admin.post(f"{CHANGELIST}?q=bob", data)

        assert r.status_code == 302, r.content[:2000]
        bob.refresh_from_db()
        assert bob.role == User.Role.CREATOR
        alice.refresh_from_db()
        assert alice.role == User.Role.CREATOR

    def test_an_unknown_role_is_refused(self, admin, bob) -> None:
        data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(bob.pk), "form-0-role": "king"}
        r = admin.post(f"{CHANGELIST}?q=bob", data | {"_save": "Save"})
        assert r.status_code == 200
        bob.refresh_from_db()
        assert bob.role == User.Role.READER


class TestAccess:
    def test_a_non_staff_user_is_sent_to_the_admin_login(self, alice) -> None:
        client = Client()
        client.force_login(alice)
        r = client.get(CHANGELIST)
        assert r.status_code == 302
        assert r["Location"].startswith("/admin/login/")
