"""Hand-written 271s for the normalization and levels tests, authored with the project's own writer."""

from __future__ import annotations

import datetime as dt

from service.eligibility.x12.writer import Envelope, write_interchange
from tests.corpus import X12_CORPUS, public_samples  # noqa: F401 - re-exported for the tests

#: The public samples, copied into the corpus (tests/data/x12/README.md gives sources and licences).
SAMPLES = X12_CORPUS
CREATED = dt.datetime(2026, 1, 5, 9, 30)


def make_271(
    benefit_segments: list[list],
    *,
    payer: str = "ACME HEALTH",
    member_segments: list[list] | None = None,
    dependent: bool = False,
) -> str:
    head = [
        ["BHT", "0022", "11", "REF1", "20260105", "0930"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", payer, "", "", "", "", "PI", "12345"],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", "SUNRISE BEHAVIORAL", "", "", "", "", "XX", "1234567893"],
        ["HL", "3", "2", "22", "1" if dependent else "0"],
        ["TRN", "2", "TRACE1", "9123456789"],
        ["NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "W123456"],
        ["DMG", "D8", "19600101", "F"],
    ]
    if dependent:
        head += [["HL", "4", "3", "23", "0"], ["NM1", "03", "1", "DOE", "SAM"], ["DMG", "D8", "20100101"],
                 ["INS", "N", "19"]]
    head += member_segments or []
    env = Envelope(
        sender_id="PAYER", receiver_id="CLINIC", interchange_control_number=42, group_control_number=7,
        created=CREATED, functional_id="HB", transaction_set_id="271",
    )
    return write_interchange([head + benefit_segments], env, line_break=True)
