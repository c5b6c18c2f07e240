import pytest


@pytest.fixture(autouse=True)
def _erasure_log(settings, tmp_path):
    # Never the deployment's log: a test's erasures must not be replayed into a real restore.
    settings.REFUGE_ERASURE_LOG = str(tmp_path / "erasures.jsonl")
