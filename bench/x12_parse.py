"""271 parse throughput: this service's reader vs pyx12's raw X12Reader tokenizer.

Run: .venv/bin/python bench/x12_parse.py [seconds-per-case]

Documents: the public 271 samples (tests/data/x12) plus one synthetic 271 with ~200 EB
loops (each with a MSG, a DTP and every 10th with an LS/NM1/LE entity). Figures are docs/s
in one process; "ratio" is ours / pyx12 (higher = faster than pyx12). pyx12 only tokenizes
(no loop walk, no normalization), so the first comparison is the fair one.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyx12.x12file  # noqa: E402

from service.eligibility.benefits import normalize_271  # noqa: E402
from service.eligibility.x12.reader_271 import read_271  # noqa: E402
from service.eligibility.x12.writer import Envelope, write_interchange  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "x12"


def synthetic_271(n_eb: int = 200) -> str:
    body = [
        ["BHT", "0022", "11", "REF1", "20260105", "0930"],
        ["HL", "1", "", "20", "1"], ["NM1", "PR", "2", "ACME HEALTH", "", "", "", "", "PI", "12345"],
        ["HL", "2", "1", "21", "1"], ["NM1", "1P", "2", "CLINIC", "", "", "", "", "XX", "1234567893"],
        ["HL", "3", "2", "22", "0"], ["TRN", "2", "T1", "9123456789"],
        ["NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "W1"], ["DMG", "D8", "19600101", "F"],
        ["DTP", "291", "RD8", "20260101-20261231"],
    ]
    stcs = ["30", "MH", "A8", "CH", "BB", "A7", "CG", "48", "1", "98"]
    codes = ["1", "C", "G", "A", "B", "F"]
    for i in range(n_eb):
        code = codes[i % len(codes)]
        body.append(["EB", code, "IND" if i % 2 else "FAM", [stcs[i % 10], stcs[(i + 3) % 10]], "PR", "",
                     "23" if i % 3 else "29", f"{100 + i}.00" if code in "CGB" else "",
                     "0.2" if code == "A" else "", "DY" if code == "F" else "", "30" if code == "F" else "",
                     "", "Y" if i % 2 else "N"])
        body.append(["DTP", "292", "RD8", "20260101-20261231"])
        body.append(["MSG", f"BENEFIT NOTE {i}"])
        if i % 10 == 0:
            body += [["LS", "2120"], ["NM1", "P3", "2", "CARVE OUT BH", "", "", "", "", "PI", "999"], ["LE", "2120"]]
    env = Envelope(sender_id="PAYER", receiver_id="CLINIC", interchange_control_number=1, group_control_number=1,
                   created=dt.datetime(2026, 1, 5, 9, 30), functional_id="HB", transaction_set_id="271")
    return write_interchange([body], env, line_break=True)


def pyx12_tokenize(text: str) -> int:
    n = 0
    for _seg in pyx12.x12file.X12Reader(io.StringIO(text)):
        n += 1
    return n


def ours_walk(text: str) -> int:
    return len(read_271(text).all_benefits())


def ours_normalize(text: str) -> int:
    return len(normalize_271(read_271(text)).benefit_rows)


def rate(fn, docs: list[str], seconds: float) -> float:
    for d in docs:  # warm up
        fn(d)
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for d in docs:
            fn(d)
        count += len(docs)
    return count / elapsed


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    samples = [p.read_text() for p in sorted(SAMPLES.glob("*.271")) if p.name.startswith(("lfh-", "badx12-"))]
    big = synthetic_271()
    print(f"synthetic 271: {big.count('EB*')} EB loops, {len(big):,} characters")
    print(f"{'case':<22}{'pyx12 tokenize':>16}{'ours tok+walk':>16}{'ratio':>8}{'ours +normalize':>18}{'ratio':>8}")
    for name, docs in (("samples (7 x 271)", samples), ("synthetic 200 EB", [big])):
        base = rate(pyx12_tokenize, docs, seconds)
        walk = rate(ours_walk, docs, seconds)
        norm = rate(ours_normalize, docs, seconds)
        print(f"{name:<22}{base:>13,.0f}/s{walk:>13,.0f}/s{walk / base:>7.1f}x{norm:>15,.0f}/s{norm / base:>7.1f}x")


if __name__ == "__main__":
    main()
