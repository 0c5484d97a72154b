"""Plugins: built-ins load through the hooks; third-party plugins join them; all can be off."""

from __future__ import annotations

import pytest

from civicshield.app import build_registry
from civicshield.config import load_settings
from civicshield.domain.detection import DetectionInput
from civicshield.domain.errors import ConfigError


def test_a_third_party_plugin_adds_a_detector() -> None:
    registry, _ = build_registry(load_settings({"CIVICSHIELD_PLUGINS": "tests.example_plugin"}))
    assert "example-codeword@1" in registry.signature
    (found,) = registry.detect([DetectionInput("Operation Larkspur starts tonight")])
    assert "example-codeword" in {f.detector for f in found}


def test_built_ins_can_be_switched_off() -> None:
    registry, importers = build_registry(load_settings({
        "CIVICSHIELD_LOAD_DEFAULT_PLUGINS": "false",
        "CIVICSHIELD_PLUGINS": "tests.example_plugin"}))
    assert registry.signature == "example-codeword@1"
    assert importers == {}


def test_a_missing_plugin_is_a_clear_configuration_error() -> None:
    with pytest.raises(ConfigError, match=r"plugin 'no\.such\.module' could not be loaded"):
        build_registry(load_settings({"CIVICSHIELD_PLUGINS": "no.such.module"}))
