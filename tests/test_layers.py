"""The apps keep their layers: the import-linter contracts of pyproject.toml hold (make lint
runs them too), and they would catch the cycles the apps used to have."""

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def test_the_contracts_hold():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_the_registry_sits_below_the_apps_that_used_to_import_it_in_circles():
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    order = {name.strip("()"): i for i, layer in enumerate(layers) for name in layer.split(" | ")}

    assert order["refuge.reception"] < order["refuge.casework"] < order["refuge.sites"]
    assert order["refuge.sites"] == order["refuge.identity"] < order["refuge.registry"]
    assert order["refuge.registry"] < order["refuge.accounts"] < order["refuge.audit"]


def test_matching_may_not_import_django():
    forbidden = next(c for c in _contracts() if c["type"] == "forbidden")

    assert forbidden["source_modules"] == ["refuge.matching"]
    assert forbidden["forbidden_modules"] == ["django"]
