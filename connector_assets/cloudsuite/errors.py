"""Typed errors of the CloudSuite client; each message says what failed, for which record, and what to do."""

from __future__ import annotations


class CloudSuiteError(Exception):
    """Base of every error raised by `connector_assets.cloudsuite`."""


class IonApiFileError(CloudSuiteError):
    """The tenant's `.ionapi` credentials file is missing, unreadable or lacks a field."""


class IonAuthError(CloudSuiteError):
    """The ION authorization server refused the credentials (wrong keys, revoked app, bad grant)."""


class AuthenticationCapReached(IonAuthError):
    """The service-account authentication cap (e.g. 20/minute) is exhausted; retry after a pause."""


class IonUnauthorized(CloudSuiteError):
    """The gateway answered 401 again right after a fresh token: the app lacks access to this API."""


class IonRequestError(CloudSuiteError):
    """An HTTP call through the gateway failed for good (4xx, or 429/5xx/network after every retry)."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class RateLimited(IonRequestError):
    """The gateway kept answering 429 after every retry; lower the concurrency or wait for the quota."""


class M3ApiError(CloudSuiteError):
    """An M3 MI transaction failed (the error arrives inside an HTTP 200 body)."""

    def __init__(
        self,
        program: str,
        transaction: str,
        message: str,
        *,
        code: str = "",
        field: str = "",
        error_type: str = "",
        record: str = "",
    ) -> None:
        self.program, self.transaction = program, transaction
        self.message, self.code, self.field, self.error_type = message, code, field, error_type
        self.record = record
        where = f" field {field}" if field else ""
        about = f" for {record}" if record else ""
        kind = f" [{error_type}{' ' + code if code else ''}]" if error_type or code else ""
        super().__init__(f"M3 {program}/{transaction}{about}{where}: {message}{kind}")


class SyteLineError(CloudSuiteError):
    """A Mongoose IDO call answered `Success: false` (or no usable body)."""

    def __init__(self, ido: str, action: str, message: str, *, record: str = "") -> None:
        self.ido, self.action, self.message, self.record = ido, action, message, record
        about = f" for {record}" if record else ""
        super().__init__(f"SyteLine {action} {ido}{about}: {message}")


class FsmError(CloudSuiteError):
    """An FSM Landmark call was refused (HTTP 400 `{"code", "message"}`, or a per-record `exception`)."""

    def __init__(self, what: str, message: str, *, code: str = "") -> None:
        self.what, self.message, self.code = what, message, code
        super().__init__(f"FSM {what}: {message}{f' [{code}]' if code else ''}")


class JournalRejected(CloudSuiteError):
    """The ERP refused lines of a journal (e.g. FSM `ErrorMessage`s): nothing was posted; `reasons` are held
    reasons (`check`, `line_no`, `value`, `reason`) to fix before the journal is posted again."""

    def __init__(self, reference: str, reasons: list[dict[str, object]]) -> None:
        self.reference, self.reasons = reference, reasons
        listed = "; ".join(f"line {r['line_no']}: {r['reason']}" for r in reasons[:5])
        more = f" (+{len(reasons) - 5} more)" if len(reasons) > 5 else ""
        super().__init__(
            f"journal {reference}: CloudSuite refused {len(reasons)} line(s), nothing was posted: {listed}{more}; "
            "fix the master data or the mapping, then replay the payroll"
        )


class JournalPending(CloudSuiteError):
    """The ERP accepted the journal but has not finished posting it; look it up again later (never re-post)."""


class EmployeeSyncUnsupported(CloudSuiteError):
    """The connection's ERP keeps no employees (FSM): there is nothing to sync."""


class PostingConflict(CloudSuiteError):
    """The ERP already holds a document under this reference whose content differs from the journal."""


class RecordNotFound(CloudSuiteError):
    """The ERP has no record with this key (employee, voucher)."""
