"""Settings: defaults, environment, files, secrets from files, and loud failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicshield.config import load_settings
from civicshield.crypto import Cipher, decode_key, new_key, write_key_file
from civicshield.domain.errors import ConfigError


def test_defaults_use_sqlite_in_the_data_folder() -> None:
    settings = load_settings({})
    assert settings.resolved_database_url.endswith("civicshield-data/civicshield.db")
    assert settings.host == "127.0.0.1" and settings.port == 8000


def test_environment_overrides_and_bad_values_name_the_setting() -> None:
    settings = load_settings({"CIVICSHIELD_PORT": "9000", "CIVICSHIELD_DISABLED_DETECTORS":
                              "spam-rules, insult-rules"})
    assert settings.port == 9000
    assert settings.disabled_detectors == ("spam-rules", "insult-rules")
    with pytest.raises(ConfigError, match="CIVICSHIELD_PORT='http'"):
        load_settings({"CIVICSHIELD_PORT": "http"})
    with pytest.raises(ConfigError, match="CIVICSHIELD_LOAD_DEFAULT_PLUGINS"):
        load_settings({"CIVICSHIELD_LOAD_DEFAULT_PLUGINS": "maybe"})


def test_toml_file_and_secret_files(tmp_path: Path) -> None:
    config = tmp_path / "civicshield.toml"
    config.write_text('port = 8123\nload_default_plugins = false\n', encoding="utf-8")
    secret = tmp_path / "db-url"
    secret.write_text("postgresql+psycopg://u@db/cs\n", encoding="utf-8")
    settings = load_settings({"CIVICSHIELD_CONFIG": str(config),
                              "CIVICSHIELD_DATABASE_URL_FILE": str(secret)})
    assert settings.port == 8123 and settings.load_default_plugins is False
    assert settings.database_url == "postgresql+psycopg://u@db/cs"
    config.write_text("prot = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_settings({"CIVICSHIELD_CONFIG": str(config)})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"CIVICSHIELD_CONFIG": str(tmp_path / "missing.toml")})


def test_cipher_round_trip_and_tamper_detection(tmp_path: Path) -> None:
    cipher = Cipher(decode_key(new_key(), source="test"))
    blob = cipher.encrypt(b"4127 Larkspur Ln", context=b"principal:1")
    assert b"Larkspur" not in blob
    assert cipher.decrypt(blob, context=b"principal:1") == b"4127 Larkspur Ln"
    with pytest.raises(ConfigError, match="altered"):
        cipher.decrypt(blob, context=b"principal:2")
    with pytest.raises(ConfigError, match="altered"):
        Cipher(decode_key(new_key(), source="other")).decrypt(blob, context=b"principal:1")
    key_file = tmp_path / "secret.key"
    write_key_file(key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        write_key_file(key_file)
    with pytest.raises(ConfigError, match="base64"):
        decode_key("not base64!", source="CIVICSHIELD_SECRET_KEY")
