"""X12 005010X279A1 code lists the eligibility layer decodes.

Copied from ``shared/reference/x12-eligibility-codes.md`` (its sources are listed there).
A code that is not in these tables is kept as sent by the reader and normalizer; only its
description is then None.
"""

from __future__ import annotations

EB01 = {
    "1": "Active coverage", "2": "Active - full risk capitation", "3": "Active - services capitated",
    "4": "Active - services capitated to primary care physician", "5": "Active - pending investigation",
    "6": "Inactive", "7": "Inactive - pending eligibility update", "8": "Inactive - pending investigation",
    "A": "Co-insurance", "B": "Co-payment", "C": "Deductible", "CB": "Coverage basis",
    "D": "Benefit description", "E": "Exclusions", "F": "Limitations", "G": "Out of pocket (stop loss)",
    "H": "Unlimited", "I": "Non-covered", "J": "Cost containment", "K": "Reserve",
    "L": "Primary care provider", "M": "Pre-existing condition", "MC": "Managed care coordinator",
    "N": "Services restricted to following provider", "O": "Not deemed a medical necessity",
    "P": "Benefit disclaimer", "Q": "Second surgical opinion required", "R": "Other or additional payor",
    "S": "Prior year(s) history", "T": "Card(s) reported lost/stolen",
    "U": "Contact following entity for eligibility or benefit information", "V": "Cannot process",
    "W": "Other source of data", "X": "Health care facility", "Y": "Spend down",
}
ACTIVE_CODES = frozenset("12345")
INACTIVE_CODES = frozenset("678")

SERVICE_TYPES = {
    "1": "Medical care", "30": "Health benefit plan coverage", "33": "Chiropractic", "35": "Dental care",
    "47": "Hospital", "48": "Hospital - inpatient", "50": "Hospital - outpatient", "86": "Emergency services",
    "88": "Pharmacy", "96": "Professional (physician)", "98": "Professional (physician) visit - office",
    "AL": "Vision (optometry)", "UC": "Urgent care", "MH": "Mental health", "A4": "Psychiatric",
    "A5": "Psychiatric - room and board", "A6": "Psychotherapy", "A7": "Psychiatric - inpatient",
    "A8": "Psychiatric - outpatient", "AI": "Substance abuse", "AJ": "Alcoholism", "AK": "Drug addiction",
    "BB": "Partial hospitalization (psychiatric)", "BC": "Day care (psychiatric)",
    "CE": "Mental health provider - inpatient", "CF": "Mental health provider - outpatient",
    "CG": "Mental health facility - inpatient", "CH": "Mental health facility - outpatient",
    "CI": "Substance abuse facility - inpatient", "CJ": "Substance abuse facility - outpatient",
    "RT": "Residential psychiatric treatment",
}

INSURANCE_TYPES = {
    "12": "Medicare secondary working aged", "13": "Medicare secondary ESRD", "14": "Medicare secondary no-fault",
    "15": "Medicare secondary workers' compensation", "16": "Medicare secondary PHS/federal agency",
    "41": "Medicare secondary black lung", "42": "Medicare secondary VA",
    "43": "Medicare secondary disabled with large group plan", "47": "Medicare secondary, other liability primary",
    "AP": "Auto insurance policy", "C1": "Commercial", "CO": "COBRA", "CP": "Medicare conditionally primary",
    "EP": "Exclusive provider organization", "GP": "Group policy", "HM": "Health maintenance organization",
    "HN": "HMO - Medicare risk", "IN": "Indemnity", "IP": "Individual policy", "MA": "Medicare Part A",
    "MB": "Medicare Part B", "MC": "Medicaid", "MP": "Medicare primary", "OT": "Other",
    "PR": "Preferred provider organization", "PS": "Point of service", "QM": "Qualified Medicare beneficiary",
    "SP": "Supplemental policy", "WC": "Workers' compensation",
}
MEDICARE_SECONDARY_TYPES = frozenset({"12", "13", "14", "15", "16", "41", "42", "43", "47"})

#: EB06 time period qualifier -> words used in Accumulator.period / Limit.period.
TIME_PERIODS = {
    "6": "hour", "7": "day", "13": "24_hours", "21": "years", "22": "service_year", "23": "calendar_year",
    "24": "year_to_date", "25": "contract", "26": "episode", "27": "visit", "28": "outlier",
    "29": "remaining", "30": "exceeded", "31": "not_exceeded", "32": "lifetime", "33": "lifetime_remaining",
    "34": "month", "35": "week", "36": "admission",
}

QUANTITY_QUALIFIERS = {
    "99": "Quantity used", "CA": "Covered - actual", "CE": "Covered - estimated",
    "D3": "Number of co-insurance days", "DB": "Deductible blood units", "DY": "Days", "HS": "Hours",
    "LA": "Life-time reserve - actual", "LE": "Life-time reserve - estimated", "M2": "Maximum",
    "MN": "Month", "P6": "Number of services or procedures", "QA": "Quantity approved",
    "S7": "Age, high value", "S8": "Age, low value", "VS": "Visits", "YY": "Years",
}

DATE_QUALIFIERS = {
    "291": "plan", "292": "benefit", "307": "eligibility", "346": "plan_begin", "347": "plan_end",
    "348": "benefit_begin", "349": "benefit_end", "356": "eligibility_begin", "357": "eligibility_end",
    "435": "admission", "472": "service", "539": "policy_effective", "540": "policy_expiration",
}

#: AAA03 reject reason -> (plain words for intake staff, class).
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "04": ("Authorized quantity exceeded", "submitter_config"),
    "15": ("Required information is missing from the request", "data_error"),
    "41": ("The payer restricts access for this submitter", "submitter_config"),
    "42": ("The payer cannot respond right now; try again later", "transient"),
    "43": ("The provider's identifier (NPI) is missing or invalid", "data_error_provider"),
    "44": ("The provider's name is missing or invalid", "data_error_provider"),
    "45": ("The provider's specialty is missing or invalid", "data_error_provider"),
    "46": ("The provider's phone number is missing or invalid", "data_error_provider"),
    "47": ("The provider's state is missing or invalid", "data_error_provider"),
    "48": ("The referring provider's identifier is missing or invalid", "data_error_provider"),
    "49": ("The provider is not the patient's primary care physician", "data_error_provider"),
    "50": ("The provider is not eligible to ask this payer about benefits (enrolment)", "provider_enrolment"),
    "51": ("The provider is not on file with this payer", "provider_enrolment"),
    "52": ("The service date is outside the provider's enrolment with this plan", "provider_enrolment"),
    "53": ("The benefit asked about does not fit the provider type", "data_error"),
    "54": ("The service code qualifier is not appropriate", "data_error"),
    "55": ("The service code is not appropriate", "data_error"),
    "56": ("A date in the request is not appropriate", "data_error_dates"),
    "57": ("The date of service is missing or invalid", "data_error_dates"),
    "58": ("The date of birth is missing or invalid", "data_error_patient"),
    "60": ("The date of birth is after the date of service", "data_error_dates"),
    "61": ("The date of death is before the date of service", "data_error_dates"),
    "62": ("The date of service is outside the period the payer allows inquiries for", "data_error_dates"),
    "63": ("The date of service is in the future", "data_error_dates"),
    "64": ("The patient's ID is missing or invalid", "data_error_patient"),
    "65": ("The patient's name is missing or invalid", "data_error_patient"),
    "66": ("The patient's gender is missing or invalid", "data_error_patient"),
    "67": ("The payer could not find the patient", "not_found"),
    "68": ("The patient's ID matches more than one person", "data_error_patient"),
    "69": ("The request does not fit the patient's age", "data_error_patient"),
    "70": ("The request does not fit the patient's gender", "data_error_patient"),
    "71": ("The date of birth does not match the payer's records", "data_error_patient"),
    "72": ("The member ID is missing or invalid", "data_error_subscriber"),
    "73": ("The subscriber's name is missing or invalid", "data_error_subscriber"),
    "74": ("The subscriber's gender is missing or invalid", "data_error_subscriber"),
    "75": ("The payer could not find the member (subscriber not found)", "not_found"),
    "76": ("The member ID matches more than one subscriber", "data_error_subscriber"),
    "77": ("The subscriber was found but the patient (dependent) was not", "not_found"),
    "78": ("The subscriber is not in the group or plan named", "not_found"),
    "79": ("The submitter's participant identification is invalid", "submitter_config"),
    "80": ("The payer did not answer in time; try again later", "transient"),
    "97": ("The provider's address is missing or invalid", "data_error_provider"),
    "T4": ("The payer name or identifier is missing", "submitter_config"),
}

FOLLOW_UPS = {
    "C": "Please correct and resubmit", "N": "Resubmission not allowed",
    "P": "Please resubmit original transaction", "R": "Resubmission allowed",
    "S": "Do not resubmit; inquiry initiated to a third party", "W": "Please wait 30 days and resubmit",
    "X": "Please wait 10 days and resubmit", "Y": "Do not resubmit; we will hand deliver",
}

RETRYABLE_REASONS = frozenset({"42", "80"})
RETRYABLE_FOLLOW_UPS = frozenset({"P", "R", ""})


def is_retryable(reason_code: str | None, follow_up_code: str | None) -> bool:
    """Only 'unable to respond now' (42) and 'no response' (80), and only with follow-up P, R or none."""
    return (reason_code or "") in RETRYABLE_REASONS and (follow_up_code or "") in RETRYABLE_FOLLOW_UPS
