"""A second visit on a slow link costs a few KB: static files under hashed names, compressed,
kept by the browser for a year; and the favicon every browser asks for is there."""

import re

from django.urls import reverse


def _asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", html)


def test_pages_name_static_files_by_their_content_hash(client, world):
    client.force_login(world.user("clerk"))
    html = client.get(reverse("registry:search")).content.decode()

    urls = _asset_urls(html)

    assert any("htmx.min." in url for url in urls) and any("refuge." in url for url in urls)
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), f"{url} has no content hash"


def test_hashed_static_files_are_cached_for_a_year_and_sent_compressed(client, world):
    client.force_login(world.user("clerk"))
    html = client.get(reverse("registry:search")).content.decode()
    htmx = next(url for url in _asset_urls(html) if "htmx.min." in url)

    response = client.get(htmx, headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) >= 365 * 86400
    body = b"".join(response.streaming_content)
    assert len(body) < 25_000  # htmx is 51 KB uncompressed


def test_the_favicon_is_served_at_the_sites_root_and_linked_from_every_page(client, world):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")

    client.force_login(world.user("clerk"))
    html = client.get(reverse("registry:search")).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert client.get(icon).status_code == 200
