"""The `.ionapi` credentials file: parsing, URLs, and errors that name the file and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector_assets.cloudsuite.errors import IonApiFileError
from connector_assets.cloudsuite.ionapi import load_ionapi

# The reference's example file (all values made up).
EXAMPLE: dict[str, Any] = {
    "ti": "ACME_TST",
    "cn": "GustoPayrollConnector",
    "dt": "12",
    "ci": "ACME_TST~q3Zt8WcV1bLk0sYpR7nXhJ2mFaE5uGdT",
    "cs": "Vb9-2kLmQx7rT0pWc4sZy1nHfA6eJgDu3iKoNbMv8RqS",
    "iu": "https://mingle-ionapi.inforcloudsuite.com",
    "pu": "https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/",
    "oa": "authorization.oauth2",
    "ot": "token.oauth2",
    "or": "revoke_token.oauth2",
    "ev": "U123456789",
    "v": "1.0",
    "saak": "ACME_TST#Hk2Lp9Qw4Rt7Yu1Io3Pa5Sd8Fg0Jh6Kl2Zx4Cv7Bn9Mq1We3Rt5Yu",
    "sask": "Xc8Vb2Nm5Qw9Er1Ty4Ui7Op0As3Df6Gh9Jk2Lz5Xc8Vb1Nm4Qw7Er0Ty3Ui6Op9As",
}


def write(tmp_path: Path, content: Any, name: str = "acme.ionapi") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_urls_follow_the_reference(tmp_path: Path) -> None:
    """Token and revoke URLs are pu+ot and pu+or; API paths start at iu/ti."""
    creds = load_ionapi(write(tmp_path, EXAMPLE))
    assert creds.token_url == "https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/token.oauth2"
    assert creds.revoke_url == "https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/revoke_token.oauth2"
    assert (
        creds.api_url("M3/m3api-rest/v2/execute")
        == "https://mingle-ionapi.inforcloudsuite.com/ACME_TST/M3/m3api-rest/v2/execute"
    )
    assert creds.access_key == EXAMPLE["saak"]


def test_on_premises_endpoint_names(tmp_path: Path) -> None:
    """On-prem files use connect/token and a pu without the trailing slash still joins correctly."""
    creds = load_ionapi(write(tmp_path, {**EXAMPLE, "pu": "https://host/InforIntSTS", "ot": "connect/token"}))
    assert creds.token_url == "https://host/InforIntSTS/connect/token"


@pytest.mark.parametrize("missing", ["ti", "ci", "cs", "iu", "pu", "ot", "saak", "sask"])
def test_missing_field_is_named_with_the_file(tmp_path: Path, missing: str) -> None:
    """A missing required key names the file and the key."""
    path = write(tmp_path, {k: v for k, v in EXAMPLE.items() if k != missing})
    with pytest.raises(IonApiFileError) as err:
        load_ionapi(path)
    assert str(path) in str(err.value)
    assert repr(missing) in str(err.value)


def test_malformed_field_is_named_without_its_secret(tmp_path: Path) -> None:
    """A malformed secret field is named, its value is not echoed."""
    path = write(tmp_path, {**EXAMPLE, "sask": "   "})
    with pytest.raises(IonApiFileError, match=r"acme\.ionapi: field 'sask' must be a non-empty string"):
        load_ionapi(path)
    bad_url = write(tmp_path, {**EXAMPLE, "iu": "mingle-ionapi"}, "url.ionapi")
    with pytest.raises(IonApiFileError, match=r"url\.ionapi: field 'iu' must be an http\(s\) URL"):
        load_ionapi(bad_url)


def test_missing_revoke_endpoint_fails_only_when_revoking(tmp_path: Path) -> None:
    """A file without `or` loads; asking for the revoke URL names the field."""
    creds = load_ionapi(write(tmp_path, {k: v for k, v in EXAMPLE.items() if k != "or"}))
    with pytest.raises(IonApiFileError, match="field 'or'"):
        _ = creds.revoke_url


def test_bad_json_and_missing_file(tmp_path: Path) -> None:
    """Invalid JSON reports the position only; a missing file says which setting to check."""
    text = json.dumps(EXAMPLE)[:-10]
    path = write(tmp_path, text)
    with pytest.raises(IonApiFileError) as err:
        load_ionapi(path)
    assert "not valid JSON (line 1" in str(err.value)
    assert EXAMPLE["sask"][:20] not in str(err.value)
    with pytest.raises(IonApiFileError, match=r"not found; check cloudsuite\.ionapi_file"):
        load_ionapi(tmp_path / "nope.ionapi")
    with pytest.raises(IonApiFileError, match="expected a JSON object"):
        load_ionapi(write(tmp_path, "[1, 2]", "list.ionapi"))


def test_repr_hides_secrets(tmp_path: Path) -> None:
    """Neither repr nor str of the credentials shows cs, saak or sask."""
    creds = load_ionapi(write(tmp_path, EXAMPLE))
    for text in (repr(creds), str(creds)):
        for key in ("cs", "saak", "sask"):
            assert EXAMPLE[key] not in text
    assert "ACME_TST" in repr(creds)
