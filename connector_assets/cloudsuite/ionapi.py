"""The tenant's `.ionapi` credentials file (reference §1-§2) and the URLs built from it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_assets.cloudsuite.errors import IonApiFileError

# Minimum keys for the password grant; `or` is needed only to revoke (reference §1).
_REQUIRED = ("ti", "ci", "cs", "iu", "pu", "ot", "saak", "sask")
_SECRET_KEYS = frozenset({"cs", "sask"})


@dataclass(frozen=True)
class IonApiCredentials:
    """One tenant's backend-service app: client keys and service-account keys; `repr` hides the secrets."""

    source: str
    tenant: str
    client_id: str
    client_secret: str = field(repr=False)
    gateway_url: str
    auth_url: str
    token_path: str
    revoke_path: str | None
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    app_name: str = ""

    @property
    def token_url(self) -> str:
        """`pu + ot`, plain concatenation (reference §2)."""
        return self.auth_url + self.token_path

    @property
    def revoke_url(self) -> str:
        """`pu + or`; the file names no revoke endpoint in some downloads."""
        if not self.revoke_path:
            raise IonApiFileError(f"{self.source}: field 'or' (revoke endpoint) is missing; cannot revoke tokens")
        return self.auth_url + self.revoke_path

    @property
    def tenant_url(self) -> str:
        """`iu + "/" + ti`: every API path of the tenant starts here."""
        return f"{self.gateway_url}/{self.tenant}"

    def api_url(self, context: str) -> str:
        """API base for a suite context such as `M3/m3api-rest/v2` or `CSI/IDORequestService/ido`."""
        return f"{self.tenant_url}/{context.strip('/')}"


def _field(data: dict[str, Any], key: str, source: str) -> str:
    value = data.get(key)
    if value is None:
        raise IonApiFileError(
            f"{source}: required field {key!r} is missing; download the credentials again "
            "(Infor OS Portal > API Gateway > Authorized Apps, backend service with a service account)"
        )
    if not isinstance(value, str) or not value.strip():
        shown = "a non-empty value" if key in _SECRET_KEYS or key == "saak" else repr(value)
        raise IonApiFileError(f"{source}: field {key!r} must be a non-empty string, found {shown}")
    return value.strip()


def parse_ionapi(data: Any, source: str = "<.ionapi>") -> IonApiCredentials:
    """Validate a parsed `.ionapi` document; errors name `source` and the field, never a secret value."""
    if not isinstance(data, dict):
        raise IonApiFileError(f"{source}: expected a JSON object with keys {', '.join(_REQUIRED)}")
    values = {key: _field(data, key, source) for key in _REQUIRED}
    for key in ("iu", "pu"):
        if not values[key].startswith(("https://", "http://")):
            raise IonApiFileError(f"{source}: field {key!r} must be an http(s) URL, found {values[key]!r}")
    tenant = values["ti"]
    revoke = data.get("or")
    if revoke is not None and (not isinstance(revoke, str) or not revoke.strip()):
        raise IonApiFileError(f"{source}: field 'or' must be a non-empty string, found {revoke!r}")
    auth_url = values["pu"] if values["pu"].endswith("/") else values["pu"] + "/"
    return IonApiCredentials(
        source=source,
        tenant=tenant,
        client_id=values["ci"],
        client_secret=values["cs"],
        gateway_url=values["iu"].rstrip("/"),
        auth_url=auth_url,
        token_path=values["ot"].lstrip("/"),
        revoke_path=revoke.strip().lstrip("/") if isinstance(revoke, str) else None,
        access_key=values["saak"],
        secret_key=values["sask"],
        app_name=str(data.get("cn") or ""),
    )


def load_ionapi(path: Path | str) -> IonApiCredentials:
    """Read and validate a tenant's `.ionapi` file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise IonApiFileError(f"{path}: .ionapi file not found; check cloudsuite.ionapi_file") from None
    except OSError as exc:
        raise IonApiFileError(f"{path}: cannot read the .ionapi file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise IonApiFileError(f"{path}: not UTF-8 text; download the .ionapi file again") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # The position only: the message of a JSON error may quote a secret.
        raise IonApiFileError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    return parse_ionapi(data, str(path))
