"""Field sites have poor connectivity: every script, style and font comes from Refuge itself."""

import re
from pathlib import Path

import pytest

EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//""", re.IGNORECASE)
TEMPLATES = sorted(Path("refuge").glob("**/templates/**/*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=str)
def test_templates_load_nothing_from_other_hosts(path):
    assert not EXTERNAL.search(path.read_text()), f"{path} loads an asset from another host"


def test_htmx_and_the_stylesheet_are_served_by_the_app(client):
    for url in ("/static/vendor/htmx.min.js", "/static/css/refuge.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        b"".join(response.streaming_content)
