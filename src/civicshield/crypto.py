"""Encryption at rest for the protected person's data: AES-256-GCM with a versioned envelope."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from civicshield.domain.errors import ConfigError

_MAGIC = b"CS1"
_NONCE_BYTES = 12


class Cipher:
    """Encrypts and decrypts small blobs; each blob carries its own random nonce."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigError("the encryption key must be 32 bytes (base64 of 32 random bytes)")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, *, context: bytes = b"") -> bytes:
        """Return magic + nonce + ciphertext; ``context`` binds the blob to where it is stored."""
        nonce = os.urandom(_NONCE_BYTES)
        return _MAGIC + nonce + self._aead.encrypt(nonce, plaintext, context)

    def decrypt(self, blob: bytes, *, context: bytes = b"") -> bytes:
        """Reverse ``encrypt``; a wrong key or altered blob raises ConfigError."""
        if not blob.startswith(_MAGIC):
            raise ConfigError("stored data is not in civicshield's encrypted format")
        nonce = blob[len(_MAGIC):len(_MAGIC) + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[len(_MAGIC) + _NONCE_BYTES:], context)
        except InvalidTag as exc:
            raise ConfigError("cannot decrypt stored data: wrong encryption key, "
                              "or the data was altered") from exc


def new_key() -> str:
    """A fresh random key, base64-encoded."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")


def decode_key(text: str, *, source: str) -> bytes:
    """Decode a base64 key, naming where it came from if it is malformed."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise ConfigError(f"{source}: the encryption key is not valid base64") from exc
    if len(key) != 32:
        raise ConfigError(f"{source}: the encryption key must decode to 32 bytes")
    return key


def write_key_file(path: Path) -> str:
    """Create a key file readable only by its owner; refuse to overwrite an existing one."""
    key = new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
