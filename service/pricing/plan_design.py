"""Plan-design facts read before a commercial or Medicare Advantage level is priced. Pure.

* **Office copay on program days.** A 271 may answer the IOP codes only with the mental-health
  *provider office* copay (STC CF, "Mental Health Provider - Outpatient"). That copay is for a
  professional's office visit; a facility program day (IOP/PHP, revenue code 0905/0913) is billed
  under the facility benefit, so the CF copay is not charged on it.
* **Medicare Advantage.** The plan, not Original Medicare, prices the care: its own deductible,
  copays (day-tiered inpatient copays, per-day IOP/PHP copays) and maximum out-of-pocket (MOOP),
  through the commercial accumulation in ``engine.py``. A Medicare answer that names the plan but
  carries none of its cost sharing (HETS reports the enrolment only) cannot be priced: it is
  refused with what to do instead, never priced with Original Medicare's figures.
"""

from __future__ import annotations

import msgspec

from contracts.benefits import InsuranceType, Level, LevelBenefits, Network, NormalizedBenefits
from service.eligibility.rows_json import rows_of
from service.errors import Unprocessable
from service.money import format_usd
from service.pricing.engine import Notes

#: Service type codes of a facility (or general mental-health) benefit; a copay row on one of these is the
#: program day's own copay.
_FACILITY_OR_GENERAL = frozenset({"MH", "A8", "CH", "BB", "A7", "CG", "CE", "A4", "A5", "48", "30", "1"})
OFFICE_COPAY_STC = "CF"


class PlanTermsMissing(Unprocessable):
    slug, title = "plan-terms-missing", "The plan's own cost sharing is needed to price this"


def _applies(row_network: Network, network: Network) -> bool:
    return row_network in (network, Network.BOTH, Network.UNKNOWN)


def without_office_copay(benefits: NormalizedBenefits, lb: LevelBenefits, notes: Notes) -> LevelBenefits:
    """``lb`` without its copay when that copay is only the STC CF office-visit copay (see the module docstring)."""
    if lb.level is Level.INPATIENT or lb.copay is None or OFFICE_COPAY_STC not in lb.service_type_codes:
        return lb
    rows = [r for r in rows_of(benefits)
            if r.code == "B" and r.amount == lb.copay and _applies(r.network, lb.network)]
    office = any(OFFICE_COPAY_STC in r.service_type_codes for r in rows)
    facility = any(_FACILITY_OR_GENERAL.intersection(r.service_type_codes or ("30",)) for r in rows)
    if not office or facility:
        return lb
    notes.assume(f"the {format_usd(lb.copay)} copay the payer reported is the mental-health provider office copay "
                 f"(service type CF): it is not charged on {lb.level.value.upper()} facility program days")
    return msgspec.structs.replace(lb, copay=None, copay_per=None)


def is_medicare_advantage(benefits: NormalizedBenefits) -> bool:
    return benefits.insurance_type is InsuranceType.MEDICARE_ADVANTAGE or bool(
        benefits.medicare and benefits.medicare.advantage)


def medicare_advantage_name(benefits: NormalizedBenefits) -> str:
    plan = benefits.medicare.advantage if benefits.medicare else None
    name = (plan.plan_name if plan else None) or benefits.plan_name or "the plan"
    contract = plan.contract_number if plan else None
    return f"{name} (contract {contract})" if contract else name


def require_advantage_terms(benefits: NormalizedBenefits, field: str) -> None:
    """Refuse a Medicare Advantage member whose answer carries none of the plan's own cost sharing."""
    if benefits.levels:
        return
    plan = benefits.medicare.advantage if benefits.medicare else None
    phones = [c.phone for c in (plan.contacts if plan else []) if c.phone]
    call = f" (the plan's number: {phones[0]})" if phones else ""
    raise PlanTermsMissing(
        f"The caller is enrolled in Medicare Advantage plan {medicare_advantage_name(benefits)}; the plan, not "
        f"Original Medicare, sets the cost sharing, and this answer does not carry it. Run the eligibility check "
        f"with the plan's payer id, or enter the plan's benefits by hand (manual){call}.", field=field)


def advantage_notes(benefits: NormalizedBenefits, lb: LevelBenefits, notes: Notes) -> None:
    notes.warn(f"Medicare Advantage plan {medicare_advantage_name(benefits)}: priced with the plan's own cost sharing "
               "and maximum out-of-pocket (MOOP), not Original Medicare's rules")
    if lb.network is not Network.OUT and (lb.oop_max_individual is None or lb.oop_max_individual.total is None):
        notes.warn("the plan's maximum out-of-pocket (MOOP) was not reported: every Medicare Advantage plan has one; "
                   "ask the plan, the amounts shown are not capped")
