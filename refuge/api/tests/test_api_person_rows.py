from rest_framework import serializers

from refuge.api.serializers import PersonDetailSerializer
from refuge.registry.models import Person
from refuge.testing import register


class _Generic(PersonDetailSerializer):
    """DRF's own rendering of the declared fields, which the hand-written row must equal."""

    def to_representation(self, instance):
        return serializers.ModelSerializer.to_representation(self, instance)


def test_hand_written_person_row_equals_the_declared_fields(world):
    household = register(world.perm, world.user("clerk_perm"))
    people = Person.objects.filter(household=household).prefetch_related(
        "documents", "needs", "consents"
    )

    for person in people:
        assert PersonDetailSerializer(person).data == _Generic(person).data
