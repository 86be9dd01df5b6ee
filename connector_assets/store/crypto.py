"""Encryption of secrets at rest: Fernet keys from `CONNECTOR_ENCRYPTION_KEY`, rotation via MultiFernet."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ENV_KEY = "CONNECTOR_ENCRYPTION_KEY"


class EncryptionKeyError(RuntimeError):
    """The encryption key is missing, malformed, or cannot decrypt stored secrets."""


class UndecryptableSecret(EncryptionKeyError):
    """A stored secret that no configured key decrypts; the message names the row."""


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

    def decrypt(self, token: bytes, what: str = "a stored secret") -> str:
        """The plaintext; `what` names the row in the error when no configured key decrypts it."""
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken:
            raise UndecryptableSecret(_undecryptable(what)) from None

    def can_decrypt(self, token: bytes) -> bool:
        """True when some configured key decrypts `token` (for health checks; the plaintext is dropped)."""
        try:
            self._fernet.decrypt(bytes(token))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes, what: str = "a stored secret") -> bytes:
        """Re-encrypt under the newest key."""
        try:
            return self._fernet.rotate(bytes(token))
        except InvalidToken:
            raise UndecryptableSecret(_undecryptable(what)) from None

    def __repr__(self) -> str:
        return "SecretCipher(<keys hidden>)"


def _undecryptable(what: str) -> str:
    return (
        f"{what} is undecryptable: no key in {ENV_KEY} decrypts it; add the key it was written with "
        "(after the new one) and run `connector store reencrypt`, or reconnect to store it again"
    )
