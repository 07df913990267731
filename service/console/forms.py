"""The caller-and-coverage form: form fields -> the API's own request contracts, and the API's problem
details -> an error beside the field it concerns.

Validation is the contracts' own (msgspec), so the console says exactly what the API would say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from contracts.eligibility import EligibilityCheckRequest, SubscriberIn
from contracts.eligibility_api import EligibilityCheck
from contracts.estimate import EstimateRequest, FacilityType, Household
from service.errors import FieldError, ProblemError

SELF_PAY = "self-pay"
FIELDS = ("payer_id", "first_name", "last_name", "date_of_birth", "member_id", "date_of_service",
          "household_size", "annual_income", "household_state", "facility_type")

#: JSON paths of the API's requests -> the form field that holds the value.
_PATH_TO_FIELD = {
    "$.payer_id": "payer_id", "$.payer_name": "payer_id",
    "$.subscriber.first_name": "first_name", "$.patient.first_name": "first_name",
    "$.subscriber.last_name": "last_name", "$.patient.last_name": "last_name",
    "$.subscriber.date_of_birth": "date_of_birth", "$.patient.date_of_birth": "date_of_birth",
    "$.subscriber.member_id": "member_id", "$.patient.member_id": "member_id",
    "$.date_of_service": "date_of_service", "$.start_date": "date_of_service", "$.as_of": "date_of_service",
    "$.household.size": "household_size", "$.household": "household_size",
    "$.household.annual_income": "annual_income", "$.household.state": "household_state",
    "$.facility_type": "facility_type",
}
#: AAA reject reasons -> the field to look at again (75 member not found, 73 name, 58 date of birth ...).
REJECTION_FIELDS = {"75": "member_id", "72": "member_id", "71": "date_of_birth", "58": "date_of_birth",
                    "73": "last_name", "65": "last_name", "64": "first_name"}


@dataclass
class CallerForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    #: Problems that concern no one field (shown above the form).
    general: list[str] = field(default_factory=list)

    @property
    def self_pay(self) -> bool:
        return self.values.get("payer_id") == SELF_PAY

    def add(self, problem: ProblemError) -> None:
        for error in problem.errors or [FieldError(field="$", reason=problem.detail or problem.title)]:
            self.add_error(error.field, error.reason)

    def add_error(self, path: str, reason: str) -> None:
        name = _PATH_TO_FIELD.get(path)
        if name is None and reason.startswith("Object missing required field `"):
            missing = reason.split("`")[1]
            name = _PATH_TO_FIELD.get(f"{path}.{missing}")
        if name is None:
            self.general.append(reason if path == "$" else f"{path}: {reason}")
        else:
            self.errors.setdefault(name, reason)


#: form field -> (the contract and its field that validates it, the JSON path the API would name)
_FIELD_CONTRACTS = {
    "first_name": (SubscriberIn, "first_name", "$.subscriber.first_name"),
    "last_name": (SubscriberIn, "last_name", "$.subscriber.last_name"),
    "date_of_birth": (SubscriberIn, "date_of_birth", "$.subscriber.date_of_birth"),
    "member_id": (SubscriberIn, "member_id", "$.subscriber.member_id"),
    "date_of_service": (EligibilityCheckRequest, "date_of_service", "$.date_of_service"),
    "household_size": (Household, "size", "$.household.size"),
    "annual_income": (Household, "annual_income", "$.household.annual_income"),
}


def _field_type(contract: type, name: str) -> Any:
    return next(f.type for f in msgspec.structs.fields(contract) if f.name == name)


def check_fields(form: CallerForm, required: tuple[str, ...]) -> None:
    """Every field at once, each by its contract's own type and limits (msgspec stops at the first error of a
    whole request; staff should see all of them in one go)."""
    for name, (contract, attr, path) in _FIELD_CONTRACTS.items():
        value = form.values[name]
        if not value:
            if name in required:
                form.add_error(path, f"Object missing required field `{attr}`")
            continue
        try:
            msgspec.convert(value.replace(",", "").lstrip("$") if name == "annual_income" else value,
                            _field_type(contract, attr), strict=False)
        except msgspec.ValidationError as exc:
            form.add_error(path, str(exc))


def read_form(data: Mapping[str, Any], *, today: dt.date, state: str) -> CallerForm:
    """The form's values; an empty date of service is today and an empty household state the provider's."""
    values = {name: str(data.get(name, "") or "").strip() for name in FIELDS}
    values["date_of_service"] = values["date_of_service"] or today.isoformat()
    values["household_state"] = (values["household_state"] or state).upper()
    form = CallerForm(values=values)
    for name, value in values.items():  # as the API refuses \u0000 in JSON: PostgreSQL text cannot hold it
        if "\x00" in value:
            form.errors[name] = "must not contain the NUL character (\\u0000)"
            values[name] = value.replace("\x00", "")
    return form


def _or_none(value: str) -> str | None:
    return value or None


def _convert(form: CallerForm, raw: dict[str, Any], kind: type) -> Any:
    try:
        return msgspec.convert(raw, kind, strict=False)
    except msgspec.ValidationError as exc:
        reason, _, path = str(exc).partition(" - at `")
        form.add_error(path.rstrip("`") or "$", reason)
        return None


def _household(form: CallerForm) -> dict[str, Any] | None:
    size, income = form.values["household_size"], form.values["annual_income"]
    if not size and not income:
        return None
    return {"size": size or None, "annual_income": income.replace(",", "").lstrip("$") or None,
            "state": form.values["household_state"] or None}


def eligibility_request(form: CallerForm, payer_name: str | None) -> EligibilityCheckRequest | None:
    v = form.values
    raw = {"payer_id": v["payer_id"] or None, "payer_name": payer_name,
           "subscriber": {"first_name": _or_none(v["first_name"]), "last_name": _or_none(v["last_name"]),
                          "date_of_birth": _or_none(v["date_of_birth"]), "member_id": _or_none(v["member_id"])},
           "date_of_service": v["date_of_service"]}
    raw["subscriber"] = {k: x for k, x in raw["subscriber"].items() if x is not None}
    return _convert(form, {k: x for k, x in raw.items() if x is not None}, EligibilityCheckRequest)


def estimate_request(form: CallerForm, *, eligibility_check_id: str | None) -> EstimateRequest | None:
    v = form.values
    patient = {k: x for k, x in {"first_name": v["first_name"], "last_name": v["last_name"],
                                 "date_of_birth": v["date_of_birth"], "member_id": v["member_id"]}.items() if x}
    raw: dict[str, Any] = {"start_date": v["date_of_service"], "patient": patient}
    if eligibility_check_id is None:
        raw["self_pay"] = True
    else:
        raw["eligibility_check_id"] = eligibility_check_id
    household = _household(form)
    if household is not None:
        raw["household"] = {k: x for k, x in household.items() if x is not None}
    if v["facility_type"]:
        raw["facility_type"] = v["facility_type"]
    return _convert(form, raw, EstimateRequest)


FACILITY_CHOICES = [("", "Not known yet"),
                    (FacilityType.FREESTANDING_PSYCHIATRIC_HOSPITAL.value, "Freestanding psychiatric hospital"),
                    (FacilityType.GENERAL_HOSPITAL_PSYCHIATRIC_UNIT.value, "General hospital psychiatric unit")]

__all__ = ["CallerForm", "FACILITY_CHOICES", "REJECTION_FIELDS", "SELF_PAY", "check_fields", "eligibility_request",
           "estimate_request", "read_form", "rejection_errors"]


def rejection_errors(check: EligibilityCheck) -> dict[str, str]:
    """A check the payer did not confirm, as an error beside the field to look at again (member id, name, date of
    birth), in the payer's own reason; coverage that is not active goes beside the payer."""
    for rejection in check.benefits.rejections:
        target = REJECTION_FIELDS.get(rejection.reason_code or "")
        if target is not None:
            reason = (rejection.reason or f"The payer refused the request (reason {rejection.reason_code})").rstrip(".")
            return {target: f"{reason}. Check the member ID, name and date of birth against the insurance card."}
    return {"payer_id": check.read_aloud[0].text if check.read_aloud else check.message}
