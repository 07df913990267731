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

#: EB03 / EQ01 service type codes (X12 element 1365) as 005010X279A1 lists them. A 271 whose EB03 holds a
#: value outside this list is refused: it is what swapped separators produce (a 29-character "code").
SERVICE_TYPES = {
    "1": "Medical care", "2": "Surgical", "3": "Consultation", "4": "Diagnostic X-ray", "5": "Diagnostic lab",
    "6": "Radiation therapy", "7": "Anesthesia", "8": "Surgical assistance", "9": "Other medical",
    "10": "Blood charges", "11": "Used durable medical equipment", "12": "Durable medical equipment purchase",
    "13": "Ambulatory service center facility", "14": "Renal supplies in the home",
    "15": "Alternate method dialysis", "16": "Chronic renal disease (CRD) equipment", "17": "Pre-admission testing",
    "18": "Durable medical equipment rental", "19": "Pneumonia vaccine", "20": "Second surgical opinion",
    "21": "Third surgical opinion", "22": "Social work", "23": "Diagnostic dental", "24": "Periodontics",
    "25": "Restorative", "26": "Endodontics", "27": "Maxillofacial prosthetics", "28": "Adjunctive dental services",
    "30": "Health benefit plan coverage", "32": "Plan waiting period", "33": "Chiropractic",
    "34": "Chiropractic office visits", "35": "Dental care", "36": "Dental crowns", "37": "Dental accident",
    "38": "Orthodontics", "39": "Prosthodontics", "40": "Oral surgery", "41": "Routine (preventive) dental",
    "42": "Home health care", "43": "Home health prescriptions", "44": "Home health visits", "45": "Hospice",
    "46": "Respite care", "47": "Hospital", "48": "Hospital - inpatient", "49": "Hospital - room and board",
    "50": "Hospital - outpatient", "51": "Hospital - emergency accident", "52": "Hospital - emergency medical",
    "53": "Hospital - ambulatory surgical", "54": "Long term care", "55": "Major medical",
    "56": "Medically related transportation", "57": "Air transportation", "58": "Cabulance",
    "59": "Licensed ambulance", "60": "General benefits", "61": "In-vitro fertilization", "62": "MRI/CAT scan",
    "63": "Donor procedures", "64": "Acupuncture", "65": "Newborn care", "66": "Pathology",
    "67": "Smoking cessation", "68": "Well baby care", "69": "Maternity", "70": "Transplants",
    "71": "Audiology exam", "72": "Inhalation therapy", "73": "Diagnostic medical", "74": "Private duty nursing",
    "75": "Prosthetic device", "76": "Dialysis", "77": "Otological exam", "78": "Chemotherapy",
    "79": "Allergy testing", "80": "Immunizations", "81": "Routine physical", "82": "Family planning",
    "83": "Infertility", "84": "Abortion", "85": "AIDS", "86": "Emergency services", "87": "Cancer",
    "88": "Pharmacy", "89": "Free standing prescription drug", "90": "Mail order prescription drug",
    "91": "Brand name prescription drug", "92": "Generic prescription drug", "93": "Podiatry",
    "94": "Podiatry - office visits", "95": "Podiatry - nursing home visits", "96": "Professional (physician)",
    "97": "Anesthesiologist", "98": "Professional (physician) visit - office",
    "99": "Professional (physician) visit - inpatient", "A0": "Professional (physician) visit - outpatient",
    "A1": "Professional (physician) visit - nursing home",
    "A2": "Professional (physician) visit - skilled nursing facility", "A3": "Professional (physician) visit - home",
    "A4": "Psychiatric", "A5": "Psychiatric - room and board", "A6": "Psychotherapy",
    "A7": "Psychiatric - inpatient", "A8": "Psychiatric - outpatient", "A9": "Rehabilitation",
    "AA": "Rehabilitation - room and board", "AB": "Rehabilitation - inpatient", "AC": "Rehabilitation - outpatient",
    "AD": "Occupational therapy", "AE": "Physical medicine", "AF": "Speech therapy", "AG": "Skilled nursing care",
    "AH": "Skilled nursing care - room and board", "AI": "Substance abuse", "AJ": "Alcoholism",
    "AK": "Drug addiction", "AL": "Vision (optometry)", "AM": "Frames", "AN": "Routine exam", "AO": "Lenses",
    "AQ": "Nonmedically necessary physical", "AR": "Experimental drug therapy", "B1": "Burn care",
    "B2": "Brand name prescription drug - formulary", "B3": "Brand name prescription drug - non-formulary",
    "BA": "Independent medical evaluation", "BB": "Partial hospitalization (psychiatric)",
    "BC": "Day care (psychiatric)", "BD": "Cognitive therapy", "BE": "Massage therapy",
    "BF": "Pulmonary rehabilitation", "BG": "Cardiac rehabilitation", "BH": "Pediatric", "BI": "Nursery",
    "BJ": "Skin", "BK": "Orthopedic", "BL": "Cardiac", "BM": "Lymphatic", "BN": "Gastrointestinal",
    "BP": "Endocrine", "BQ": "Neurology", "BR": "Eye", "BS": "Invasive procedures", "BT": "Gynecological",
    "BU": "Obstetrical", "BV": "Obstetrical/gynecological", "BW": "Mail order prescription drug: brand name",
    "BX": "Mail order prescription drug: generic", "BY": "Physician visit - office: sick",
    "BZ": "Physician visit - office: well", "C1": "Coronary care", "CA": "Private duty nursing - inpatient",
    "CB": "Private duty nursing - home", "CC": "Surgical benefits - professional (physician)",
    "CD": "Surgical benefits - facility", "CE": "Mental health provider - inpatient",
    "CF": "Mental health provider - outpatient", "CG": "Mental health facility - inpatient",
    "CH": "Mental health facility - outpatient", "CI": "Substance abuse facility - inpatient",
    "CJ": "Substance abuse facility - outpatient", "CK": "Screening X-ray", "CL": "Screening laboratory",
    "CM": "Mammogram, high risk patient", "CN": "Mammogram, low risk patient", "CO": "Flu vaccination",
    "CP": "Eyewear and eyewear accessories", "CQ": "Case management", "DG": "Dermatology",
    "DM": "Durable medical equipment", "DS": "Diabetic supplies", "GF": "Generic prescription drug - formulary",
    "GN": "Generic prescription drug - non-formulary", "GY": "Allergy", "IC": "Intensive care",
    "MH": "Mental health", "NI": "Neonatal intensive care", "ON": "Oncology", "PT": "Physical therapy",
    "PU": "Pulmonary", "RN": "Renal", "RT": "Residential psychiatric treatment", "TC": "Transitional care",
    "TN": "Transitional nursery care", "UC": "Urgent care",
}

#: EB13-1 product/service id qualifiers (X279A1): a composite whose first component is not one of these
#: cannot be read.
PRODUCT_ID_QUALIFIERS = frozenset({"AD", "CJ", "HC", "ID", "IV", "N4", "ZZ"})

INSURANCE_TYPES = {
    "12": "Medicare secondary working aged", "13": "Medicare secondary ESRD", "14": "Medicare secondary no-fault",
    "15": "Medicare secondary workers' compensation", "16": "Medicare secondary PHS/federal agency",
    "41": "Medicare secondary black lung", "42": "Medicare secondary VA",
    "43": "Medicare secondary disabled with large group plan", "47": "Medicare secondary, other liability primary",
    "AP": "Auto insurance policy", "C1": "Commercial", "CH": "Champus", "DB": "Disability benefits",
    "FI": "Federal employees program", "GR": "Group policy (employer)", "HS": "Special low income Medicare beneficiary",
    "LC": "Long term care", "LD": "Long term policy", "LI": "Life insurance", "LT": "Litigation",
    "MH": "Medigap Part A", "MI": "Medigap Part B", "TF": "Tax equity and fiscal responsibility act (TEFRA)",
    "TV": "Title V", "WU": "Wrap up policy", "CO": "COBRA", "CP": "Medicare conditionally primary",
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

#: AAA03 reject reason -> (plain words for intake staff, class). Every code 005010X279A1 allows in a 271's
#: AAA03, at any loop (2100A, 2100B, 2100C, 2110C, 2100D, 2110D).
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "04": ("Authorized quantity exceeded", "submitter_config"),
    "15": ("Required information is missing from the request", "data_error"),
    "33": ("The request has input errors the payer did not name more precisely", "data_error"),
    "35": ("The provider is out of network for this patient's plan", "provider_enrolment"),
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
    "98": ("The service asked about is experimental or investigational for this plan", "data_error"),
    "AA": ("The authorization number was not found", "data_error"),
    "AE": ("The patient's primary care physician must authorize this service", "data_error_provider"),
    "AF": ("A diagnosis code is missing or invalid", "data_error"),
    "AG": ("A procedure code is missing or invalid", "data_error"),
    "AO": ("The payer needs more information about the patient's condition", "data_error"),
    "CI": ("The certification information does not match the patient", "data_error_patient"),
    "E8": ("The service needs medical review by the payer", "data_error"),
    "IA": ("The authorization number is not in a valid format", "data_error"),
    "MA": ("An authorization is missing for this service", "data_error"),
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
