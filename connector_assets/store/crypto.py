"""Encryption of secrets at rest: Fernet keys from `CONNECTOR_ENCRYPTION_KEY`, rotation via MultiFernet."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ENV_KEY = "CONNECTOR_ENCRYPTION_KEY"


class EncryptionKeyError(RuntimeError):
    """The encryption key is missing, malformed, or cannot decrypt stored secrets."""


class SecretCipher:
    """Encrypts with the first key, decrypts with any: put the new key first to rotate."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise EncryptionKeyError(
                f"{ENV_KEY} is empty; generate one with `connector keygen` and set it in the environment"
            )
        try:
            self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])
        except (ValueError, TypeError) as exc:
            raise EncryptionKeyError(
                f"{ENV_KEY} holds a malformed key (expected comma-separated url-safe base64 Fernet keys, "
                "newest first); generate one with `connector keygen`"
            ) from exc

    @classmethod
    def from_env(cls) -> SecretCipher:
        """Keys from `CONNECTOR_ENCRYPTION_KEY` (comma-separated, newest first)."""
        raw = os.environ.get(ENV_KEY, "")
        return cls([k for k in raw.split(",") if k.strip()])

    @staticmethod
    def generate_key() -> str:
        """A fresh key, for `connector keygen` and the demo."""
        return Fernet.generate_key().decode()

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken as exc:
            raise EncryptionKeyError(
                f"a stored secret cannot be decrypted with any key in {ENV_KEY}; "
                "add the key it was written with (after the new one) and run `connector store reencrypt`"
            ) from exc

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the newest key."""
        return self._fernet.rotate(bytes(token))

    def __repr__(self) -> str:
        return "SecretCipher(<keys hidden>)"
