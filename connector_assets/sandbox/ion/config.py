"""Settings of the ION simulator: every behaviour the reference marks UNVERIFIED is a field here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

MAX_TOKEN_TTL_S = 24 * 3600


@dataclass(frozen=True)
class SpikeArrest:
    """Gateway spike-arrest policy: more than `max_requests` within `period_s` seconds get a 429."""

    max_requests: int
    period_s: float = 60.0
    # Infor documents no Retry-After on 429; a value here opts in to sending one.
    retry_after_s: int | None = None


@dataclass
class IonConfig:
    """All tunable behaviour of one simulated tenant; defaults follow the reference where it is verified."""

    tenant: str = "ACME_TST"
    company: str = "100"
    division: str = "AAA"
    currency: str = "USD"
    # --- tokens (reference §3) ---
    token_ttl_s: int = 7200
    issue_refresh_tokens: bool = False
    # A refresh token older than this is replaced on use; 0 rotates on every use, None never rotates.
    refresh_rotation_s: int | None = 8 * 3600
    refresh_idle_expiry_s: int = 30 * 24 * 3600
    allow_client_credentials: bool = True
    auth_cap_per_minute: int | None = 20
    auth_cap_status: int = 429  # UNVERIFIED: status of the service-account authentication cap
    token_error_status: int = 400  # UNVERIFIED: integrators also report 500 for bad token requests
    invalid_client_status: int = 401
    # --- gateway (reference §4) ---
    spike_arrest: SpikeArrest | None = None
    unauthorized_body: dict[str, Any] = field(default_factory=lambda: {"error": "Unauthorized"})
    throttled_body: dict[str, Any] = field(default_factory=lambda: {"error": "Too Many Requests"})
    # --- M3 MI REST (reference §5, §6) ---
    cost_center_dimension: int = 2
    mi_default_maxrecs: int = 100
    # Real tenants return v2 MI errors as HTTP 400 (reference §12.1); 200 is the older, lenient assumption.
    mi_error_http_status: int = 400
    # "results": the error in results[0]; "top_level": only terminationReason/terminationErrorType, no results.
    mi_error_shape: Literal["results", "top_level"] = "results"
    # A server-side cap below the requested maxrecs (§12.5); None returns up to maxrecs.
    mi_page_cap: int | None = 300
    start_key_inclusive: bool = True
    bulk_stop_on_error: bool = False
    blocked_value: str = "1"  # LCCD value written for a blocked identity; any non-"0" is read as blocked
    amount_sign: Literal["signed", "dbcr", "either"] = "either"
    valid_inri: frozenset[str] | None = None  # None: any non-empty INRI
    interface_names: frozenset[str] | None = None  # None: any non-empty INTN
    validate_lines_on_add: bool = True
    ctrl_batch_checks_balance: bool = True
    reject_reused_posted_key1: bool = True
    second_updbatch: Literal["error", "noop"] = "error"
    # UpdBatch returns only CONO (§12.2); vouchers are created in the background and become visible to
    # GLS200MI this many seconds (simulator clock) after UpdBatch (§12.3).
    updbatch_returns_voucher: bool = False
    voucher_delay_s: float = 1.0
    # The GLS850 template maps CUAM: lines without it (or with CUAM differing from ACAM) are rejected (§12.4).
    template_maps_cuam: bool = True
    # The field named on a duplicate KEY1/LINE is undocumented (§12.6): by default none is named.
    duplicate_error_field: bool = False
    voucher_series: str = "A1"
    first_voucher_number: int = 1
    validate_employee_cost_center: bool = True
    # --- SyteLine / Mongoose (reference §7) ---
    mongoose_config: str = ""  # empty: "<tenant>_DALS"
    missing_config_status: int = 400  # UNVERIFIED: the reference only says such calls fail
    cost_center_unit_code: int = 2
    default_journal_id: str = "GJ"
    # SLJournals rows need a Seq issued by GetNextJournalSeqSp (§12.8); False accepts rows without one.
    require_journal_seq: bool = True
    # Only the first N items of a Changes array are processed (§12.9); None processes them all.
    changes_per_request: int | None = 1
    # EmpNum is a right-justified 7-character key (§12.11); False stores numbers as sent.
    pad_employee_numbers: bool = True
    # /ido/info/{IDO} answers with the property list; False leaves only the IdoProperties IDO to ask.
    ido_info_endpoint: bool = True
    # Entry of journal rows checks their balance per request (a lenient, older assumption).
    syteline_require_balanced: bool = False
    syteline_reject_duplicate_reference: bool = False
    reference_max_len: int = 30

    def __post_init__(self) -> None:
        if not 1 <= self.token_ttl_s <= MAX_TOKEN_TTL_S:
            raise ValueError(
                f"token_ttl_s={self.token_ttl_s} is outside 1..{MAX_TOKEN_TTL_S} s; "
                "Infor allows at most 24 h per authorized app"
            )
        if not 2 <= self.cost_center_dimension <= 7:
            raise ValueError(f"cost_center_dimension={self.cost_center_dimension} must be 2..7 (1 is the account)")
        if not 1 <= self.cost_center_unit_code <= 4:
            raise ValueError(f"cost_center_unit_code={self.cost_center_unit_code} must be 1..4")
        if not self.mongoose_config:
            self.mongoose_config = f"{self.tenant}_DALS"
