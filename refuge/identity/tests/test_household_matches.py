"""The instant check of a whole household at once (what an import and the registration form
ask) tells each member exactly what the check of that member alone tells: the same people, in
the same order, with the same verdicts, and nothing about people at sites the user cannot see."""

from datetime import date

from refuge.identity.selectors import household_matches, member_matches
from refuge.registry.vocabulary import Relationship
from refuge.testing import family_of_four, member, register


def _told(matches):
    return [(m.person.pk, m.probability, m.decision, m.reasons) for m in matches]


def test_a_household_checked_at_once_is_told_what_each_member_checked_alone_is(world):
    clerk = world.user("clerk")
    register(world.shelter, clerk)
    # The same family again at a site the clerk cannot see, and a cousin's family at theirs.
    register(world.perm, world.user("clerk_perm"))
    register(world.shelter, clerk, family_of_four(family="حسين", latin_family="Hussein"))
    newcomer = member(
        "خالد",
        "عيسى",
        father="سامر",
        relationship=Relationship.BROTHER,
        birth_date=date(1990, 5, 5),
    )
    members = [*family_of_four(), newcomer]

    together = household_matches(clerk, members)

    alone = {
        index: matches
        for index, m in enumerate(members)
        if (matches := member_matches(clerk, m, index=index))
    }
    assert set(together) == set(alone) == {0, 1, 2, 3}
    for index, matches in alone.items():
        assert _told(together[index]) == _told(matches)
    seen = {m.person.household.audit_site_id for ms in together.values() for m in ms}
    assert seen == {world.shelter.pk}


def test_a_household_nobody_resembles_has_no_warnings(world):
    register(world.shelter, world.user("clerk"))
    stranger = member("Ivan", "Petrov", father="Sergei", latin=("Ivan", "Sergei", "Petrov"))

    assert household_matches(world.user("clerk"), [stranger]) == {}
