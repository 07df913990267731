"""Settings from environment variables only, validated once at start-up.

A bad value stops the service with a message that names the variable, e.g.
``ELIGIBILITY_CACHE_TTL_SECONDS must be a whole number of seconds >= 0, got 'abc'``.
The README's configuration table is the user-facing copy of ``VARIABLES`` below.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal, InvalidOperation
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import msgspec

from service.eligibility.x12.builder_270 import npi_is_valid
from service.eligibility.x12.writer import DEFAULT_DELIMITERS, X12ValueError, check_value


class ConfigError(ValueError):
    """A configuration variable is missing or malformed; the message names it."""


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    database_url: str | None = None
    app_database_url: str | None = None
    embedded_pg_dir: Path = Path("var/pgdata")
    clearinghouse_url: str | None = None
    clearinghouse_protocol: str = "core_soap"
    clearinghouse_path: str | None = None
    clearinghouse_username: str = ""
    clearinghouse_password: str = ""
    clearinghouse_api_key: str = ""
    clearinghouse_name: str = "sandbox"
    payer_directory_required: bool = False
    batch_clearinghouse_concurrency: int = 5
    batch_payer_concurrency: int = 5
    worker_heartbeat_seconds: float = 5.0
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 0
    sandbox_latency_ms: int = 0
    clearinghouse_connect_timeout: float = 3.0
    clearinghouse_read_timeout: float = 15.0
    clearinghouse_attempts: int = 3
    breaker_failure_threshold: int = 5
    breaker_reset_seconds: float = 30.0
    payer_max_in_flight: int = 20
    payer_max_waiting: int = 20
    payer_queue_seconds: float = 5.0
    eligibility_cache_ttl_seconds: int = 86400
    provider_npi: str = "1234567893"
    provider_name: str = "DEMO BEHAVIORAL HEALTH"
    provider_tin: str = "123456789"
    provider_address_line: str = "100 DEMO WAY"
    provider_city: str = "SACRAMENTO"
    provider_state: str = "CA"
    provider_postal_code: str = "95814"
    provider_taxonomy: str = "283Q00000X"
    submitter_id: str = "DEMOSUBMITTER"
    receiver_id: str = "SANDBOXCH"
    log_level: str = "INFO"
    log_format: str = "json"
    portal_token_secret: str = ""
    portal_token_previous_secrets: tuple[str, ...] = ()
    portal_token_ttl_seconds: int = 3600
    max_body_bytes: int = 1_048_576
    rate_limit_per_minute: int = 600
    request_timeout_seconds: float = 30.0
    db_pool_min: int = 1
    db_pool_max: int = 10
    program_federal_holidays: bool = True
    program_closed_dates: dict[dt.date, str] = {}
    server: str = "granian"
    workers: int = 1
    #: Not an environment variable: the sandbox the serving process started for its workers (service/serving.py).
    sandbox_url: str | None = None
    medicare_outpatient_setting: str = "hospital_outpatient"
    medicare_opps_wage_index: Decimal | None = None
    provider_psychiatric_beds: int | None = None
    medicaid_imd_1115_waiver: bool | None = None
    medicaid_mco_imd_in_lieu_of: bool | None = None
    professional_services_in_estimates: bool = False
    #: The provider's own professional fee schedule (PROFESSIONAL_FEES_FILE, read and checked at start-up), in the
    #: shape of service/reference/data/professional-fees.json; None = the shipped one.
    professional_fees: dict[str, Any] | None = None
    financial_assistance_policy: str = "hrsa_sliding_fee"

    @property
    def uses_embedded_postgres(self) -> bool:
        return self.database_url is None

    @property
    def uses_sandbox_clearinghouse(self) -> bool:
        return self.clearinghouse_url is None


def _int(name: str, raw: str, *, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number >= {minimum}, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}, got {raw!r}")
    return value


def _float(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds > 0, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be a number of seconds > 0, got {raw!r}")
    return value


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _postgres_url(name: str, raw: str) -> str:
    parsed = urlparse(raw)
    if parsed.scheme not in {"postgres", "postgresql"} or not (parsed.hostname or parsed.path or parsed.query):
        raise ConfigError(f"{name} must be a postgresql:// URL, got a value with scheme {parsed.scheme!r}")
    return raw


def _http_url(name: str, raw: str) -> str:
    parsed = urlparse(raw)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ConfigError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw.rstrip("/")


def _choice(*choices: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().upper() if choices[0].isupper() else raw.strip().lower()
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
        return value

    return parse


def _url_path(name: str, raw: str) -> str:
    value = raw.strip()
    if not value.startswith("/") or any(c in value for c in "?#") or not value.isascii() or " " in value:
        raise ConfigError(f"{name} must be a URL path starting with /, got {raw!r}")
    return value.rstrip("/") or "/"


def _npi(name: str, raw: str) -> str:
    if len(raw) != 10 or not (raw.isascii() and raw.isdigit()):
        raise ConfigError(f"{name} must be a 10-digit NPI, got {len(raw)} characters")
    if not npi_is_valid(raw):
        raise ConfigError(f"{name} is not a valid NPI (its check digit does not match)")
    return raw


def _x12_id(name: str, raw: str) -> str:
    # ASCII only: str.isalnum() also accepts letters and digits no X12 interchange can carry
    if not raw or len(raw) > 15 or not all((c.isascii() and c.isalnum()) or c == " " for c in raw):
        raise ConfigError(f"{name} must be 1-15 letters, digits or spaces (an X12 interchange id)")
    return raw


def _x12_name(name: str, raw: str) -> str:
    """A name sent in every 270 (NM103, at most 60 characters of the X12 character set, no delimiter)."""
    value = _text(name, raw)
    try:
        check_value(value, DEFAULT_DELIMITERS, name)
    except X12ValueError as exc:
        raise ConfigError(f"{name} {exc.reason} (it is sent in every 270)") from None
    if len(value) > 60:
        raise ConfigError(f"{name} must be at most 60 characters (it is sent in every 270)")
    return value


def _closed_dates(name: str, raw: str) -> dict[dt.date, str]:
    from service.pricing.closures import parse_closed_dates  # noqa: PLC0415 (pure helper, no import cycle)

    try:
        return parse_closed_dates(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be YYYY-MM-DD[=reason] items separated by commas: {exc}") from None


def _professional_fees_file(name: str, raw: str) -> dict[str, Any]:
    from service.pricing.professional_fees import read_fee_schedule_file  # noqa: PLC0415 (pure checks, no cycle)

    try:
        return read_fee_schedule_file(Path(_text(name, raw)))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{name} must name a readable fee schedule in the shape of professional-fees.json: "
                          f"{exc}") from None


def _taxonomy(name: str, raw: str) -> str:
    value = raw.strip().upper()
    if len(value) != 10 or not value.isascii() or not value.isalnum() or not value.endswith("X"):
        raise ConfigError(f"{name} must be a 10-character NUCC taxonomy code ending in X, e.g. 283Q00000X, got {raw!r}")
    return value


def _wage_index(name: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ConfigError(f"{name} must be a wage index like 1.0523, got {raw!r}") from None
    if not (value.is_finite() and Decimal("0.2") <= value <= Decimal("3")):
        raise ConfigError(f"{name} must be a wage index between 0.2 and 3 (CMS publishes 4 decimals), got {raw!r}")
    return value


def _text(name: str, raw: str) -> str:
    if not raw.strip():
        raise ConfigError(f"{name} must not be empty")
    return raw.strip()


# variable name -> (settings field, parser, description for the README)
VARIABLES: dict[str, tuple[str, Callable[[str, str], Any], str]] = {
    "DATABASE_URL": ("database_url", _postgres_url, "PostgreSQL URL of the schema's owner (migrations); unset = embedded PostgreSQL"),
    "APP_DATABASE_URL": ("app_database_url", _postgres_url, "URL of the least-privileged role requests run as (granted at start-up); unset = the owner, or `benefits_app` when embedded"),
    "EMBEDDED_PG_DIR": ("embedded_pg_dir", lambda n, r: Path(_text(n, r)), "data directory of the embedded PostgreSQL"),
    "CLEARINGHOUSE_URL": ("clearinghouse_url", _http_url, "clearinghouse base URL; unset = built-in sandbox"),
    "CLEARINGHOUSE_PROTOCOL": ("clearinghouse_protocol", _choice("core_soap", "json", "text"), "wire: core_soap (CAQH CORE vC2.2.0 SOAP), json (raw X12 in JSON, Stedi's kind) or text (text/plain)"),
    "CLEARINGHOUSE_PATH": ("clearinghouse_path", _url_path, "endpoint path under CLEARINGHOUSE_URL; unset = the wire's (Stedi's published paths, /x12/270 for text)"),
    "CLEARINGHOUSE_USERNAME": ("clearinghouse_username", _text, "CORE WS-Security UsernameToken user (Stedi: account id); required for core_soap with CLEARINGHOUSE_URL"),
    "CLEARINGHOUSE_PASSWORD": ("clearinghouse_password", _text, "CORE UsernameToken password (Stedi: API key)"),
    "CLEARINGHOUSE_API_KEY": ("clearinghouse_api_key", _text, "API key sent in Authorization by the json wire; required for json with CLEARINGHOUSE_URL"),
    "CLEARINGHOUSE_NAME": ("clearinghouse_name", _text, "whose payer directory searches and checks use (`payers import --clearinghouse`)"),
    "PAYER_DIRECTORY_REQUIRED": ("payer_directory_required", _bool, "refuse a check whose payer id is not in that directory (422 with the closest names)"),
    "BATCH_CLEARINGHOUSE_CONCURRENCY": ("batch_clearinghouse_concurrency", lambda n, r: _int(n, r, minimum=1), "batch checks in flight at once across all workers (the clearinghouse's concurrency limit; Stedi's default is 5)"),
    "BATCH_PAYER_CONCURRENCY": ("batch_payer_concurrency", lambda n, r: _int(n, r, minimum=1), "batch checks in flight at once for one payer, across all workers"),
    "WORKER_HEARTBEAT_SECONDS": ("worker_heartbeat_seconds", _float, "how often a worker says it is alive; 3 missed = its jobs run again elsewhere"),
    "SANDBOX_HOST": ("sandbox_host", _text, "address the sandbox clearinghouse binds"),
    "SANDBOX_PORT": ("sandbox_port", lambda n, r: _int(n, r), "port of the sandbox (0 = any free port)"),
    "SANDBOX_LATENCY_MS": ("sandbox_latency_ms", lambda n, r: _int(n, r), "added latency per sandbox answer"),
    "CLEARINGHOUSE_CONNECT_TIMEOUT": ("clearinghouse_connect_timeout", _float, "seconds"),
    "CLEARINGHOUSE_READ_TIMEOUT": ("clearinghouse_read_timeout", _float, "seconds"),
    "CLEARINGHOUSE_ATTEMPTS": ("clearinghouse_attempts", lambda n, r: _int(n, r, minimum=1), "tries per 270"),
    "BREAKER_FAILURE_THRESHOLD": ("breaker_failure_threshold", lambda n, r: _int(n, r, minimum=1), "failures that open a payer's circuit"),
    "BREAKER_RESET_SECONDS": ("breaker_reset_seconds", _float, "seconds a payer's open circuit waits"),
    "PAYER_MAX_IN_FLIGHT": ("payer_max_in_flight", lambda n, r: _int(n, r, minimum=1), "checks at one payer at once, per process"),
    "PAYER_MAX_WAITING": ("payer_max_waiting", lambda n, r: _int(n, r), "checks waiting for one of those, per process (more: 503 payer-busy)"),
    "PAYER_QUEUE_SECONDS": ("payer_queue_seconds", _float, "longest wait for a turn at a busy payer"),
    "ELIGIBILITY_CACHE_TTL_SECONDS": ("eligibility_cache_ttl_seconds", lambda n, r: _int(n, r), "reuse a stored check this long"),
    "PROVIDER_NPI": ("provider_npi", _npi, "NPI sent in 270s and printed on estimates"),
    "PROVIDER_NAME": ("provider_name", _x12_name, "organization name"),
    "PROVIDER_TIN": ("provider_tin", _text, "tax id printed on Good Faith Estimates"),
    "PROVIDER_ADDRESS_LINE": ("provider_address_line", _text, "street address where care is given (Good Faith Estimates)"),
    "PROVIDER_CITY": ("provider_city", _text, "city of that address"),
    "PROVIDER_STATE": ("provider_state", _choice(*"AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split()), "two-letter state of that address"),
    "PROVIDER_POSTAL_CODE": ("provider_postal_code", _text, "ZIP code of that address"),
    "PROVIDER_TAXONOMY": ("provider_taxonomy", _taxonomy, "NUCC provider taxonomy code (FHIR Good Faith Estimates; 283Q00000X = psychiatric hospital)"),
    "X12_SUBMITTER_ID": ("submitter_id", _x12_id, "ISA06 sender id"),
    "X12_RECEIVER_ID": ("receiver_id", _x12_id, "ISA08 receiver id"),
    "LOG_LEVEL": ("log_level", _choice("DEBUG", "INFO", "WARNING", "ERROR"), "log level"),
    "LOG_FORMAT": ("log_format", _choice("json", "console"), "json lines or console"),
    "PORTAL_TOKEN_SECRET": ("portal_token_secret", _text, "HMAC key that signs patient-portal tokens; required with DATABASE_URL (the embedded mode generates one and keeps it beside its data)"),
    "PORTAL_TOKEN_PREVIOUS_SECRETS": ("portal_token_previous_secrets", lambda n, r: tuple(p.strip() for p in r.split(",") if p.strip()), "comma-separated earlier secrets whose tokens still verify (rotation)"),
    "PORTAL_TOKEN_TTL_SECONDS": ("portal_token_ttl_seconds", lambda n, r: _int(n, r, minimum=60), "portal token lifetime"),
    "MAX_BODY_BYTES": ("max_body_bytes", lambda n, r: _int(n, r, minimum=1024), "largest accepted request body"),
    "RATE_LIMIT_PER_MINUTE": ("rate_limit_per_minute", lambda n, r: _int(n, r, minimum=1), "requests per API key per minute"),
    "REQUEST_TIMEOUT_SECONDS": ("request_timeout_seconds", _float, "longest time a request may take (an estimate already sent to be stored waits for its commit)"),
    "DB_POOL_MIN": ("db_pool_min", lambda n, r: _int(n, r, minimum=1), "asyncpg pool minimum"),
    "DB_POOL_MAX": ("db_pool_max", lambda n, r: _int(n, r, minimum=1), "asyncpg pool maximum"),
    "PROGRAM_FEDERAL_HOLIDAYS": ("program_federal_holidays", _bool, "IOP/PHP closed on US federal holidays (sessions move to the next program day)"),
    "MEDICARE_OUTPATIENT_SETTING": ("medicare_outpatient_setting", _choice("hospital_outpatient", "cmhc"), "Medicare IOP/PHP APCs: hospital outpatient (5861-5864) or community mental health center (5851-5854)"),
    "MEDICARE_OPPS_WAGE_INDEX": ("medicare_opps_wage_index", _wage_index, "the provider's OPPS wage index (national IOP/PHP rates are wage-adjusted with it); unset = 1.0000, said in the estimate"),
    "PROVIDER_PSYCHIATRIC_BEDS": ("provider_psychiatric_beds", lambda n, r: _int(n, r, minimum=1), "inpatient psychiatric beds (more than 16 in a freestanding psychiatric hospital = an IMD under Medicaid); unset = assumed more than 16, said"),
    "MEDICAID_IMD_1115_WAIVER": ("medicaid_imd_1115_waiver", _bool, "the state's section 1115 waiver lets Medicaid pay for adults 21-64 in an IMD; unset = unknown (exclusion applied, said)"),
    "MEDICAID_MCO_IMD_IN_LIEU_OF": ("medicaid_mco_imd_in_lieu_of", _bool, "the state lets Medicaid managed-care plans pay for IMD stays in lieu of other care (up to 15 days a month); unset = unknown, not assumed"),
    "PROFESSIONAL_SERVICES_IN_ESTIMATES": ("professional_services_in_estimates", _bool, "add the practitioners' visits billed apart from the facility (the psychiatrist; professional-fees.json) to every estimate whose request does not say `professional_services`; the shipped fees are example figures"),
    "PROFESSIONAL_FEES_FILE": ("professional_fees", _professional_fees_file, "the practice's own professional fee schedule (its practitioners' charges, its Medicare locality PFS amounts, typical visits), a JSON file shaped like service/reference/data/professional-fees.json; unset = the shipped example figures"),
    "FINANCIAL_ASSISTANCE_POLICY": ("financial_assistance_policy", _choice("hrsa_sliding_fee", "irs_501r_agb", "ca_hospital_fair_pricing"), "the organization's financial-assistance policy for self-pay balances: the HRSA sliding fee, an IRS 501(r) amounts-generally-billed cap or California's Hospital Fair Pricing Act (rules and sources in financial-assistance.json)"),
    "PROGRAM_CLOSED_DATES": ("program_closed_dates", _closed_dates, "the provider's own closed days, `2026-12-24=Christmas Eve,2026-12-31`"),
    "SERVER": ("server", _choice("granian", "uvicorn"), "HTTP server `serve` runs"),
    "WORKERS": ("workers", lambda n, r: _int(n, r, minimum=1), "worker processes `serve` runs (about one per core)"),
}


#: Variables that were removed; setting one stops the service rather than being silently ignored.
REMOVED_VARIABLES = {
    "AUTH_REQUIRED": "every /v1 route always requires an API key or a portal token (it never switched that off)",
}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every variable; raise ConfigError naming the first bad one."""
    env = os.environ if environ is None else environ
    for name, why in REMOVED_VARIABLES.items():
        if env.get(name):
            raise ConfigError(f"{name} is no longer read: {why}; remove it")
    values: dict[str, Any] = {}
    for name, (field, parse, _description) in VARIABLES.items():
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        values[field] = parse(name, raw)
    settings = Settings(**values)
    if settings.db_pool_min > settings.db_pool_max:
        raise ConfigError("DB_POOL_MIN must not exceed DB_POOL_MAX")
    if settings.clearinghouse_url is not None:  # the sandbox has credentials of its own
        if settings.clearinghouse_protocol == "core_soap" and not (
            settings.clearinghouse_username and settings.clearinghouse_password
        ):
            raise ConfigError("CLEARINGHOUSE_USERNAME and CLEARINGHOUSE_PASSWORD must be set for "
                              "CLEARINGHOUSE_PROTOCOL=core_soap with a CLEARINGHOUSE_URL")
        if settings.clearinghouse_protocol == "json" and not settings.clearinghouse_api_key:
            raise ConfigError("CLEARINGHOUSE_API_KEY must be set for CLEARINGHOUSE_PROTOCOL=json with a CLEARINGHOUSE_URL")
    return settings
