"""Encryption at rest for the protected person's data (AES-256-GCM with a versioned envelope), and
the Ed25519 key that signs the chain of custody."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from civicshield.domain.errors import ConfigError

_MAGIC = b"CS1"
_NONCE_BYTES = 12


class Cipher:
    """Encrypts and decrypts small blobs; each blob carries its own random nonce."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigError("the encryption key must be 32 bytes (base64 of 32 random bytes)")
        self._aead = AESGCM(key)
        self._key = key

    def derive(self, label: bytes) -> bytes:
        """A 32-byte key for one purpose (HKDF-SHA256 of the installation's key and
        ``label``), for keyed fingerprints; the installation's key itself never leaves here."""
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"civicshield:" + label
                    ).derive(self._key)

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


class EvidenceSigner:
    """The installation's Ed25519 evidence key: it signs every ledger entry, each packet's
    SHA256SUMS and each head receipt. It is separate from the encryption key and can be kept
    encrypted by a passphrase."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_hex = raw.hex()

    @classmethod
    def create(cls, path: Path, passphrase: str = "") -> EvidenceSigner:
        """Make a new key file readable only by its owner; refuse to overwrite one."""
        key = Ed25519PrivateKey.generate()
        protection = (BestAvailableEncryption(passphrase.encode("utf-8")) if passphrase
                      else NoEncryption())
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, protection)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return cls(key)

    @classmethod
    def load(cls, path: Path, passphrase: str = "") -> EvidenceSigner:
        """Read the key file, naming the problem plainly when it cannot be used."""
        if not path.is_file():
            raise ConfigError(f"no evidence signing key: {path} is missing "
                              "(run `civicshield init`)")
        try:
            key = load_pem_private_key(path.read_bytes(),
                                       passphrase.encode("utf-8") if passphrase else None)
        except TypeError as exc:
            raise ConfigError(f"{path}: the evidence signing key is protected by a passphrase; "
                              "set CIVICSHIELD_SIGNING_PASSPHRASE (or _FILE)") from exc
        except ValueError as exc:
            raise ConfigError(f"{path}: cannot read the evidence signing key (wrong passphrase, "
                              "or not a key file)") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError(f"{path}: not an Ed25519 key")
        return cls(key)

    @property
    def fingerprint(self) -> str:
        """A short name for the public key (see ``key_fingerprint``)."""
        return key_fingerprint(self.public_hex)

    def sign(self, data: bytes) -> str:
        """The signature of some bytes, as hex."""
        return self._key.sign(data).hex()

    def sign_hash(self, digest_hex: str) -> str:
        """The signature of a ledger entry's hash (its hex text)."""
        return self.sign(digest_hex.encode("ascii"))

    def check_hash(self, digest_hex: str, signature_hex: str) -> bool:
        """True when the signature of an entry hash was made by this key."""
        return signature_valid(self.public_hex, digest_hex.encode("ascii"), signature_hex)

    def public_pem(self) -> bytes:
        """The public key as PEM (for `openssl pkeyutl -verify`)."""
        return self._key.public_key().public_bytes(Encoding.PEM,
                                                   PublicFormat.SubjectPublicKeyInfo)


def signature_valid(public_hex: str, data: bytes, signature_hex: str) -> bool:
    """True when ``signature_hex`` is an Ed25519 signature of ``data`` by that public key."""
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        public.verify(bytes.fromhex(signature_hex), data)
    except (ValueError, InvalidSignature):
        return False
    return True


def key_fingerprint(public_hex: str) -> str:
    """A short name for a public key given as hex: the first 16 bytes of its SHA-256, in groups
    of four hex digits (the same as ``domain.custody`` prints)."""
    try:
        digest = hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:32]
    except ValueError:
        return "(not a key)"
    return ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def public_hex_of_pem(pem: bytes) -> str:
    """The raw Ed25519 public key (hex) in a PEM file; ValueError when it is not one."""
    try:
        key = load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise ValueError("not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 key")
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
