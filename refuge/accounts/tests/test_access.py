from django.urls import reverse

from refuge.accounts.roles import GRANTS, Capability, Role
from refuge.audit.models import AuditEntry
from refuge.testing import PASSWORD, register


def test_every_role_has_its_grants_and_only_admin_has_all_but_tracing():
    assert set(GRANTS) == set(Role.values)
    everything_but_tracing = frozenset(Capability) - {Capability.TRACE}
    assert [r for r, caps in GRANTS.items() if caps == everything_but_tracing] == [Role.ADMIN]


def test_only_tracing_officers_work_tracing_requests():
    assert [r for r, caps in GRANTS.items() if Capability.TRACE in caps] == [Role.TRACING_OFFICER]


def test_observer_and_dpo_never_see_people():
    for role in (Role.OBSERVER, Role.DPO):
        assert Capability.VIEW_PEOPLE not in GRANTS[role]


def test_a_refused_look_at_another_sites_household_is_audited(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user("clerk"))

    response = client.get(reverse("registry:household", args=[household.pk]))

    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="denied")
    assert (denied.actor_username, denied.object_id) == ("clerk", str(household.pk))


def test_reading_a_household_is_audited(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user("caseworker"))

    client.get(reverse("registry:household", args=[household.pk]))

    view = AuditEntry.objects.get(action="view", object_type="registry.household")
    assert view.actor_username == "caseworker"
    assert view.site_id == world.perm.pk


def test_sign_in_is_audited_and_restores_the_users_language(world, client):
    user = world.user("clerk")
    user.preferred_language = "ar"
    user.save()

    client.post(reverse("accounts:login"), {"username": "clerk", "password": PASSWORD})
    page = client.get(reverse("sites:overview")).content.decode()

    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert AuditEntry.objects.filter(action="login", actor_username="clerk").exists()


def test_choosing_a_language_is_kept_on_the_user(world, client):
    client.force_login(world.user("clerk"))

    client.post(reverse("accounts:language"), {"language": "ru", "next": "/sites/"})

    clerk = world.user("clerk")
    clerk.refresh_from_db()
    assert clerk.preferred_language == "ru"
    assert "Объекты" in client.get(reverse("sites:overview")).content.decode()


def test_a_language_we_do_not_ship_is_refused(world, client):
    client.force_login(world.user("clerk"))

    assert client.post(reverse("accounts:language"), {"language": "xx"}).status_code == 400


def test_language_switch_does_not_redirect_off_site(world, client):
    client.force_login(world.user("clerk"))

    response = client.post(
        reverse("accounts:language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response.url == "/"


def test_repeated_wrong_passwords_lock_the_username(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "clerk", "password": "wrong"})

    response = client.post(reverse("accounts:login"), {"username": "clerk", "password": PASSWORD})

    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_ends_a_fixed_time_after_sign_in(world, client, settings):
    client.force_login(world.user("clerk"))
    assert client.get(reverse("sites:overview")).status_code == 200
    session = client.session
    session["refuge_signed_in_at"] -= settings.SESSION_ABSOLUTE_SECONDS + 1
    session.save()

    response = client.get(reverse("sites:overview"))

    assert response.status_code == 302
    assert client.get(reverse("sites:overview")).status_code == 302
