from refuge.testing import register


def test_household_read_gives_members(world, api_as):
    household = register(world.perm, world.user("clerk_perm"))
    client = api_as(world.user("clerk_perm"))

    response = client.get(f"/api/v1/households/{household.pk}/")

    assert response.status_code == 200, response.content
    assert len(response.json()["members"]) == 4
