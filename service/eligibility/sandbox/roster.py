"""The sandbox payer's test members and the 271s it authors for them.

Members are matched on member id (case-insensitive), then last name, then date of birth.
An unknown member id is AAA 75 (subscriber not found), a known id with another last name
AAA 73 (subscriber name invalid), with another date of birth AAA 58 (date of birth invalid),
all in loop 2100C with follow-up C (correct and resubmit). The three failure members
(``ERR-*``) behave the same whatever name and date of birth are sent.

Dollar figures that are Medicare's own (Part A / Part B deductibles) are read from
``service.reference.load("medicare")`` for the year of the date of service; the rest are the
sandbox payer's plan design. The plan year is the calendar year of the date of service.

| member id | name, DOB | payer (suggested id) | what the 271 says |
|---|---|---|---|
| MCR-PARTB-001 | MARTHA JONES 1951-03-14 | MEDICARE (SBMCR) | Medicare A+B fee-for-service; Part B deductible partly met: remaining = year's deductible - 163.00 (2026: 283.00 - 163.00 = 120.00); Part B coinsurance 20 %; Part A deductible not met |
| MCR-QMB-002 | WALTER BROOKS 1948-11-02 | MEDICARE (SBMCR) | Medicare A+B with Medicaid QMB (EB04 QM row + MSG); Part B deductible not met; Medicaid (STATE MEDICAID) as other payer, paying after Medicare (2120 NM1*SEP) |
| MCR-PSYCH-003 | ELEANOR PRICE 1955-07-21 | MEDICARE (SBMCR) | Medicare A+B; psychiatric lifetime days 190 limit, 45 used, 145 remaining; 12 inpatient days used this benefit period; 60 lifetime reserve days; Part B deductible met (0.00 remaining) |
| MCD-FFS-004 | DIEGO RAMIREZ 1990-05-30 | STATE MEDICAID (SBMCD) | Medicaid fee-for-service, state TX, cost sharing category at or below 100 % FPL, 4.00 copay per visit for MH / A8 / BB |
| MCD-MCO-005 | AISHA KHAN 1988-09-09 | STATE MEDICAID (SBMCD) | Medicaid managed care, plan SUNRISE HEALTH PLAN (EB*MC + 2120 NM1), state TX, cost sharing exempt (0.00 copay) |
| PPO-FAM-006 | DANIEL MILLER 1980-01-15 (dependent EMMA MILLER 2010-06-01, child) | SANDBOX PPO (SBPPO) | PPO GOLD PPO 1500, active. In network: deductible IND 1500.00 (900.00 remaining), FAM 3000.00 (2100.00 remaining); OOP max IND 5000.00 (4200.00 remaining), FAM 10000.00 (8800.00 remaining); coinsurance 20 %. Out of network: deductible IND 3000.00 / FAM 6000.00 (nothing met), OOP IND 10000.00 / FAM 20000.00, coinsurance 40 %. No prior authorization |
| PPO-AUTH-007 | SOFIA GARCIA 1975-12-03 | SANDBOX PPO (SBPPO) | PPO SILVER PPO 2000: prior authorization required for IOP (EB11 Y + MSG) and inpatient (precertification); PHP not stated; IOP copay 50.00 per program day in network; deductible IND 2000.00 (500.00 remaining); OOP IND 6000.00 (5200.00 remaining); coinsurance 30 % in / 50 % out |
| PPO-INACT-008 | ROBERT CHEN 1970-04-18 | SANDBOX PPO (SBPPO) | coverage inactive (EB*6), ended 31 December of the year before the date of service |
| MCR-ADV-009 | LUIS HERNANDEZ 1950-08-22 | MEDICARE (SBMCR) | Medicare A+B with Medicare Advantage as HETS reports it (EB*R**30*IN, REF*18 H9001 001, DTP*290 the calendar year, MCO bill option C, 2120 SANDBOX ADVANTAGE HMO with member services 800-555-0190) and Part D S9002 001; the plan's own in-network cost sharing: IOP/PHP copay 55.00 a day, inpatient 350.00 a day with prior authorization, MOOP 4500.00 (3900.00 remaining) |
| MCR-MSP-010 | GEORGE PATTERSON 1957-04-09 | MEDICARE (SBMCR) | Medicare A+B, Medicare Secondary Payer working aged (EB*R**30*12): ACME MANUFACTURING GROUP PLAN pays first (2120 NM1*PRP, phone 800-555-0177, from 2024-01-01); Part D S9003 002; Part A and Part B deductibles not met |
| (any other id) | | | AAA 75 subscriber not found (200 from the service, with the rejection) |
| ERR-DOWN-042 | any | any | AAA 42 at the payer (2100A) with follow-up R on every try → the service retries, then 503 |
| ERR-SLOW-504 | any | any | answers after ``slow_ms`` (default 20 s, longer than the 15 s read timeout) → 504 |
| ERR-BAD-502 | any | any | a truncated interchange (cut inside the ISA) → 502 |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from service.reference import load

__all__ = ["Member", "Dependent", "ROSTER", "FAILURE_MEMBERS", "find_member", "benefit_segments", "money"]

Segment = list


def money(value: Decimal) -> str:
    """EB07 amount as X12 R (no trailing zeros needed, two decimals kept readable)."""
    return f"{value.quantize(Decimal('0.01'))}"


def _medicare_year(dos: dt.date) -> dict:
    years = load("medicare")["calendar_years"]
    key = str(dos.year)
    if key not in years:  # a year not in the reference set: the nearest one we have
        key = max(years) if dos.year > int(max(years)) else min(years)
    return years[key]


def part_b_deductible(dos: dt.date) -> Decimal:
    return Decimal(str(_medicare_year(dos)["part_b"]["annual_deductible"]))


def part_a_deductible(dos: dt.date) -> Decimal:
    return Decimal(str(_medicare_year(dos)["part_a"]["inpatient_deductible_per_benefit_period"]))


#: Part B deductible already met by MCR-PARTB-001 this year.
PARTB_001_MET = Decimal("163.00")


@dataclass(frozen=True)
class Dependent:
    first_name: str
    last_name: str
    date_of_birth: dt.date
    gender: str = "F"


@dataclass(frozen=True)
class Member:
    member_id: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    gender: str
    payer_name: str
    payer_id: str
    #: (date of service) -> EB loops: each a list of segments starting with EB.
    benefits: Callable[[dt.date], list[list[Segment]]]
    dependents: tuple[Dependent, ...] = field(default_factory=tuple)
    #: DTP segments in 2100C (plan / eligibility dates), by date of service.
    member_dates: Callable[[dt.date], list[Segment]] | None = None


def _year(dos: dt.date) -> tuple[str, str]:
    return f"{dos.year}0101", f"{dos.year}1231"


def _plan_dates(dos: dt.date) -> list[Segment]:
    begin, end = _year(dos)
    return [["DTP", "346", "D8", begin], ["DTP", "347", "D8", end]]


def _medicare_parts(dos: dt.date) -> list[list[Segment]]:
    return [
        [["EB", "1", "", ["30", "MH", "A7", "48"], "MA"], ["DTP", "307", "D8", "20130301"]],
        [["EB", "1", "", ["30", "MH", "A8", "BB"], "MB"], ["DTP", "307", "D8", "20130301"]],
    ]


def _medicare_part_a_deductible(dos: dt.date, remaining: Decimal) -> list[list[Segment]]:
    total = part_a_deductible(dos)
    return [
        [["EB", "C", "IND", ["30", "A7"], "MA", "", "26", money(total)]],
        [["EB", "C", "IND", ["30", "A7"], "MA", "", "29", money(remaining)]],
    ]


def _medicare_part_b(dos: dt.date, remaining: Decimal) -> list[list[Segment]]:
    total = part_b_deductible(dos)
    return [
        [["EB", "C", "IND", ["30", "MH", "A8", "BB"], "MB", "", "23", money(total)]],
        [["EB", "C", "IND", ["30", "MH", "A8", "BB"], "MB", "", "29", money(remaining)]],
        [["EB", "A", "IND", ["30", "MH", "A8", "BB"], "MB", "", "27", "", "0.2"]],
    ]


def _mcr_partb_001(dos: dt.date) -> list[list[Segment]]:
    # remaining = year's deductible - 163.00 already met (2026: 283.00 - 163.00 = 120.00)
    remaining = max(part_b_deductible(dos) - PARTB_001_MET, Decimal("0"))
    return _medicare_parts(dos) + _medicare_part_a_deductible(dos, part_a_deductible(dos)) + _medicare_part_b(dos, remaining)


def _mcr_qmb_002(dos: dt.date) -> list[list[Segment]]:
    return (
        _medicare_parts(dos)
        + [[["EB", "1", "", "30", "QM"], ["MSG", "QUALIFIED MEDICARE BENEFICIARY (QMB) - MEDICAID PAYS MEDICARE COST SHARING"]]]
        + _medicare_part_a_deductible(dos, part_a_deductible(dos))
        + _medicare_part_b(dos, part_b_deductible(dos))
        + [[
            ["EB", "R", "", "30", "MC"],
            ["LS", "2120"],
            ["NM1", "SEP", "2", "STATE MEDICAID", "", "", "", "", "PI", "SBMCD"],  # pays after Medicare
            ["LE", "2120"],
        ]]
    )


def _mcr_psych_003(dos: dt.date) -> list[list[Segment]]:
    return (
        _medicare_parts(dos)
        + _medicare_part_a_deductible(dos, part_a_deductible(dos))
        + _medicare_part_b(dos, Decimal("0"))
        + [
            [["EB", "F", "", ["A7", "CG"], "MA", "", "32", "", "", "DY", "190"],
             ["MSG", "FREESTANDING PSYCHIATRIC HOSPITAL 190 DAY LIFETIME LIMIT"]],
            [["EB", "F", "", ["A7", "CG"], "MA", "", "33", "", "", "DY", "145"]],
            [["EB", "F", "", ["A7", "CG"], "MA", "", "32", "", "", "99", "45"]],
            [["EB", "F", "", ["48", "A7"], "MA", "", "26", "", "", "99", "12"]],
            [["EB", "K", "", "30", "MA", "", "", "", "", "LA", "60"]],
        ]
    )


def _part_d(contract: str, dos: dt.date) -> list[Segment]:
    begin, end = _year(dos)
    return [["EB", "R", "", "88", "OT"], ["REF", "18", contract], ["DTP", "290", "RD8", f"{begin}-{end}"]]


def _mcr_adv_009(dos: dt.date) -> list[list[Segment]]:
    """Medicare Advantage as HETS 5010 reports it, plus the plan's own cost sharing (in network)."""
    begin, end = _year(dos)
    bh = ["MH", "A8", "BB"]
    return _medicare_parts(dos) + [
        [["EB", "R", "", "30", "IN"], ["REF", "18", "H9001 001"], ["DTP", "290", "RD8", f"{begin}-{end}"],
         ["MSG", "MCO BILL OPTION CODE C"],
         ["LS", "2120"],
         ["NM1", "PRP", "2", "SANDBOX ADVANTAGE HMO", "", "", "", "", "PI", "H9001"],
         ["N3", "PO BOX 9001"], ["N4", "SACRAMENTO", "CA", "95814"],
         ["PER", "IC", "MEMBER SERVICES", "TE", "8005550190"],
         ["LE", "2120"]],
        _part_d("S9002 001", dos),
        [["EB", "B", "IND", bh, "HN", "", "7", "55.00", "", "", "", "", "Y"]],
        [["EB", "B", "IND", ["A7", "CG"], "HN", "", "7", "350.00", "", "", "", "Y", "Y"],
         ["MSG", "PRIOR AUTHORIZATION REQUIRED FOR INPATIENT ADMISSION"]],
        [["EB", "G", "IND", "30", "HN", "", "23", "4500.00", "", "", "", "", "Y"]],
        [["EB", "G", "IND", "30", "HN", "", "29", "3900.00", "", "", "", "", "Y"]],
    ]


def _mcr_msp_010(dos: dt.date) -> list[list[Segment]]:
    """Medicare Secondary Payer (working aged, MSP type 12): the employer group plan pays first."""
    return (
        _medicare_parts(dos)
        + _medicare_part_a_deductible(dos, part_a_deductible(dos))
        + _medicare_part_b(dos, part_b_deductible(dos))
        + [
            [["EB", "R", "", "30", "12"], ["DTP", "290", "RD8", "20240101-99991231"],
             ["LS", "2120"],
             ["NM1", "PRP", "2", "ACME MANUFACTURING GROUP PLAN", "", "", "", "", "PI", "ACME01"],
             ["N3", "PO BOX 1200"], ["N4", "COLUMBUS", "OH", "43215"],
             ["PER", "IC", "", "TE", "8005550177"],
             ["LE", "2120"]],
            _part_d("S9003 002", dos),
        ]
    )


def _mcd_ffs_004(dos: dt.date) -> list[list[Segment]]:
    return [
        [["EB", "1", "IND", ["30", "MH", "A8", "BB", "A7"], "MC"], ["MSG", "STATE=TX"],
         ["MSG", "COST SHARING CATEGORY - AT OR BELOW 100"]],
        [["EB", "B", "IND", ["MH", "A8", "BB"], "MC", "", "27", "4.00"]],
    ]


def _mcd_mco_005(dos: dt.date) -> list[list[Segment]]:
    return [
        [["EB", "1", "IND", ["30", "MH", "A8", "BB", "A7"], "MC"], ["MSG", "STATE=TX"],
         ["MSG", "COST SHARING CATEGORY - EXEMPT"]],
        [["EB", "MC", "", "30", "MC"],
         ["LS", "2120"],
         ["NM1", "Y2", "2", "SUNRISE HEALTH PLAN", "", "", "", "", "PI", "SUNR01"],
         ["PER", "IC", "MEMBER SERVICES", "TE", "8005550100"],
         ["LE", "2120"]],
        [["EB", "B", "IND", ["MH", "A8", "BB"], "MC", "", "27", "0.00"], ["MSG", "COST SHARING EXEMPT"]],
    ]


def _accumulators(level: str, network: str, deductible: tuple[str, str], oop: tuple[str, str]) -> list[list[Segment]]:
    """Deductible and OOP maximum (total for the calendar year and remaining) for one coverage level."""
    return [
        [["EB", "C", level, "30", "PR", "", "23", deductible[0], "", "", "", "", network]],
        [["EB", "C", level, "30", "PR", "", "29", deductible[1], "", "", "", "", network]],
        [["EB", "G", level, "30", "PR", "", "23", oop[0], "", "", "", "", network]],
        [["EB", "G", level, "30", "PR", "", "29", oop[1], "", "", "", "", network]],
    ]


def _ppo_fam_006(dos: dt.date) -> list[list[Segment]]:
    bh = ["MH", "A8", "CH", "BB", "A7", "CG"]
    return (
        [[["EB", "1", "FAM", ["30"] + bh, "PR", "GOLD PPO 1500"]]]
        + _accumulators("IND", "Y", ("1500.00", "900.00"), ("5000.00", "4200.00"))
        + _accumulators("FAM", "Y", ("3000.00", "2100.00"), ("10000.00", "8800.00"))
        + _accumulators("IND", "N", ("3000.00", "3000.00"), ("10000.00", "10000.00"))
        + _accumulators("FAM", "N", ("6000.00", "6000.00"), ("20000.00", "20000.00"))
        + [
            [["EB", "A", "IND", bh, "PR", "", "27", "", "0.2", "", "", "N", "Y"]],
            [["EB", "A", "IND", bh, "PR", "", "27", "", "0.4", "", "", "N", "N"]],
        ]
    )


def _ppo_auth_007(dos: dt.date) -> list[list[Segment]]:
    return (
        [[["EB", "1", "IND", ["30", "MH", "A8", "CH", "BB", "A7", "CG"], "PR", "SILVER PPO 2000"]]]
        + _accumulators("IND", "Y", ("2000.00", "500.00"), ("6000.00", "5200.00"))
        + [
            # CF (mental health provider - outpatient) is an IOP-only code in levels.py: the copay and
            # the prior-authorization flag land on IOP and not on PHP.
            [["EB", "B", "IND", ["CF"], "PR", "", "27", "50.00", "", "", "", "Y", "Y"],
             ["MSG", "PRIOR AUTHORIZATION REQUIRED FOR INTENSIVE OUTPATIENT PROGRAM"]],
            [["EB", "A", "IND", ["MH", "A8", "CH", "BB", "A7", "CG"], "PR", "", "27", "", "0.3", "", "", "", "Y"]],
            [["EB", "A", "IND", ["MH", "A8", "CH", "BB", "A7", "CG"], "PR", "", "27", "", "0.5", "", "", "", "N"]],
            [["EB", "CB", "IND", ["A7", "CG"], "PR", "", "", "", "", "", "", "Y"],
             ["MSG", "PRECERTIFICATION REQUIRED FOR INPATIENT ADMISSION"]],
        ]
    )


def _ppo_inact_008(dos: dt.date) -> list[list[Segment]]:
    return [[["EB", "6", "IND", "30", "PR"], ["DTP", "357", "D8", f"{dos.year - 1}1231"]]]


def _inactive_dates(dos: dt.date) -> list[Segment]:
    return [["DTP", "356", "D8", f"{dos.year - 3}0101"], ["DTP", "357", "D8", f"{dos.year - 1}1231"]]


ROSTER: dict[str, Member] = {
    m.member_id: m
    for m in (
        Member("MCR-PARTB-001", "MARTHA", "JONES", dt.date(1951, 3, 14), "F", "MEDICARE", "SBMCR", _mcr_partb_001),
        Member("MCR-QMB-002", "WALTER", "BROOKS", dt.date(1948, 11, 2), "M", "MEDICARE", "SBMCR", _mcr_qmb_002),
        Member("MCR-PSYCH-003", "ELEANOR", "PRICE", dt.date(1955, 7, 21), "F", "MEDICARE", "SBMCR", _mcr_psych_003),
        Member("MCD-FFS-004", "DIEGO", "RAMIREZ", dt.date(1990, 5, 30), "M", "STATE MEDICAID", "SBMCD", _mcd_ffs_004,
               member_dates=_plan_dates),
        Member("MCD-MCO-005", "AISHA", "KHAN", dt.date(1988, 9, 9), "F", "STATE MEDICAID", "SBMCD", _mcd_mco_005,
               member_dates=_plan_dates),
        Member("PPO-FAM-006", "DANIEL", "MILLER", dt.date(1980, 1, 15), "M", "SANDBOX PPO", "SBPPO", _ppo_fam_006,
               dependents=(Dependent("EMMA", "MILLER", dt.date(2010, 6, 1)),), member_dates=_plan_dates),
        Member("PPO-AUTH-007", "SOFIA", "GARCIA", dt.date(1975, 12, 3), "F", "SANDBOX PPO", "SBPPO", _ppo_auth_007,
               member_dates=_plan_dates),
        Member("PPO-INACT-008", "ROBERT", "CHEN", dt.date(1970, 4, 18), "M", "SANDBOX PPO", "SBPPO", _ppo_inact_008,
               member_dates=_inactive_dates),
        Member("MCR-ADV-009", "LUIS", "HERNANDEZ", dt.date(1950, 8, 22), "M", "MEDICARE", "SBMCR", _mcr_adv_009),
        Member("MCR-MSP-010", "GEORGE", "PATTERSON", dt.date(1957, 4, 9), "M", "MEDICARE", "SBMCR", _mcr_msp_010),
    )
}

#: Member ids that fail on purpose (see the table above).
FAILURE_MEMBERS = {"ERR-DOWN-042": "unavailable", "ERR-SLOW-504": "slow", "ERR-BAD-502": "malformed"}


def find_member(member_id: str | None) -> Member | None:
    return ROSTER.get((member_id or "").strip().upper())


def benefit_segments(member: Member, dos: dt.date) -> list[Segment]:
    return [seg for loop in member.benefits(dos) for seg in loop]
