"""The data-broker catalogue shipped with the project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from civicshield.domain.brokers import (
    CHANNELS,
    DEFAULT_CATALOGUE,
    NEEDS,
    catalogue,
    load_catalogue,
)
from civicshield.domain.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "brokers"


def test_the_catalogue_covers_at_least_150_sites() -> None:
    sites = catalogue()
    assert len(sites) >= 150
    assert len({b.domain for b in sites}) == len(sites)


def test_every_site_says_how_to_opt_out_and_how_long_it_takes() -> None:
    sites = catalogue()
    names = {b.name for b in sites}
    for broker in sites:
        assert broker.channel in CHANNELS, broker.id
        if broker.channel == "web":
            assert broker.optout_url, broker.id
        if broker.channel == "email":
            assert "@" in broker.optout_email, broker.id
        if broker.channel == "parent":
            assert broker.parent in names, broker.id
        assert broker.optout_url == "" or broker.optout_url.startswith(("https://", "http://"))
        assert set(broker.needs) <= set(NEEDS), broker.id
        assert broker.processing_days > 0
        # A date where a source gives one; "" where no source dated its check.
        assert broker.last_verified == "" or broker.last_verified[:2] == "20", broker.id
    dated = [b for b in sites if b.last_verified]
    assert len(dated) >= 150


def test_opting_out_at_a_parent_clears_its_sites() -> None:
    sites = catalogue()
    parent = next(b for b in sites if b.name == "PeopleConnect")
    cleared = {b.id for b in sites.cleared_by(parent)}
    assert {"intelius.com", "zabasearch.com"} <= cleared
    assert parent.id not in cleared


def test_known_facts_are_kept() -> None:
    sites = catalogue()
    whitepages = sites.get("www.whitepages.com")
    assert whitepages.optout_url.startswith("https://www.whitepages.com/suppression")
    assert whitepages.ca_registered
    assert "phone" in whitepages.needs
    assert sites.get("spokeo.com").ca_registered


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "brokers.json"
    path.write_text(json.dumps({"format": 2, "brokers": []}))
    with pytest.raises(ConfigError, match="broker catalogue format 2"):
        load_catalogue(path)
    with pytest.raises(ConfigError, match=r"has no site 'nowhere\.example'"):
        catalogue().get("nowhere.example")


@pytest.mark.skipif(not SHARED.is_dir(), reason="the development broker data is not here")
def test_the_committed_catalogue_is_what_the_script_builds(tmp_path: Path) -> None:
    out = tmp_path / "brokers.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_broker_catalogue.py"),
                    "--data", str(SHARED), "--out", str(out)], check=True, capture_output=True)
    assert out.read_text(encoding="utf-8") == DEFAULT_CATALOGUE.read_text(encoding="utf-8")
