import re

import yaml
from django.test import Client


def _schema():
    return yaml.safe_load(Client().get("/api/v1/schema/").content)


def test_schema_is_openapi_3_1_and_open_to_read(db):
    schema = _schema()

    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/households/{id}/" in schema["paths"]


def test_every_operation_documents_its_problems_and_writes_their_idempotency_key(db):
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for code in ("400", "401", "403", "404", "429"):
                assert "application/problem+json" in responses[code]["content"], (path, method)
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            writes = method in {"post", "patch", "put", "delete"}
            reads_by_post = path.endswith(("/search/", "/instant-check/"))
            assert ("Idempotency-Key" in headers) == (writes and not reads_by_post), (path, method)


def test_browsable_docs_load_everything_from_refuge_itself(db):
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        page = Client().get(url).content.decode()

        assert "drf_spectacular_sidecar" in page, url
        assert not re.search(r"""(src|href)=["']https?://""", page), url
