"""Infor CloudSuite through the ION API Gateway: `.ionapi` credentials, tokens, and one `Erp` per flavour."""

from connector_assets.cloudsuite.erp import Erp, disconnect, erp_for, ion_session
from connector_assets.cloudsuite.errors import (
    AuthenticationCapReached,
    CloudSuiteError,
    IonApiFileError,
    IonAuthError,
    IonRequestError,
    IonUnauthorized,
    M3ApiError,
    PostingConflict,
    RateLimited,
    RecordNotFound,
    SyteLineError,
)
from connector_assets.cloudsuite.types import (
    CostCenter,
    ErpEmployee,
    GlAccount,
    Journal,
    JournalLine,
    PostedJournal,
)

__all__ = [
    "AuthenticationCapReached",
    "CloudSuiteError",
    "CostCenter",
    "Erp",
    "ErpEmployee",
    "GlAccount",
    "IonApiFileError",
    "IonAuthError",
    "IonRequestError",
    "IonUnauthorized",
    "Journal",
    "JournalLine",
    "M3ApiError",
    "PostedJournal",
    "PostingConflict",
    "RateLimited",
    "RecordNotFound",
    "SyteLineError",
    "disconnect",
    "erp_for",
    "ion_session",
]
