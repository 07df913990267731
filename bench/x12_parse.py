"""271 parse throughput: this service's reader vs pyx12's raw X12Reader tokenizer, and a 1 MB 271 over HTTP.

Run: .venv/bin/python bench/x12_parse.py [seconds-per-case]    (pyx12 comes with ``.[bench]``)

Documents: the public 271 samples (tests/data/x12), a 5 KB synthetic 271 (50 EB loops) and one with ~200
EB loops (each with a MSG, a DTP and every 10th with an LS/NM1/LE entity). Figures are docs per second of
this process's CPU time (``time.process_time``: time the process waits for a core on a shared machine is not
counted), each the best of several interleaved rounds (interleaving puts every reader under the same load);
"ratio" is ours / pyx12 (higher = faster than pyx12). pyx12's X12Reader only
splits segments, as our ``tokenize`` does: that is the like-for-like column; "full parse" is the whole
path the service runs, bytes -> ``NormalizedBenefits`` (tokenize, loop walk 2000A..2120D, every EB row,
the levels rule, Medicare/Medicaid/other payers/contacts). Ours is pure Python throughout (no compiled module;
pyx12 is pure Python too). Cached between documents are values only, which a stream of different members' 271s
from one payer hits as this bench's repetition does: DTP values -> dates (``rows.parse_d8``, ``rows._dtp``) and a
row's DTP qualifier/format/value triples -> its dates (``rows._row_dates``); EB08 fraction texts -> percent
points and EB10 quantity texts -> numbers (``rows._eb08``, ``rows._eb10``, 256 each); the segment ids found valid
(``tokenizer._VALID_IDS``, at most 512) and one regex per delimiter pair. Nothing keyed by a whole document, an
EB segment or any text with a name, member id or amount. Target (issue
10): the full parse of the 5 KB 271 at least 10x pyx12's tokenizer. The last lines split the 5 KB full parse
into tokenize / loop walk / normalization, to show where its time goes, and give the floor of any parse with this
answer's shape: tokenizing and making the answer's objects from values already decoded (``answer_objects_only``).

The biggest file: a 1 MB synthetic 271 (the largest body the service accepts), read inline here; what the
service does with it over HTTP (and ``/health`` meanwhile) is ``bench/x12_health.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import msgspec  # noqa: E402
import pyx12.x12file  # noqa: E402

from contracts.benefits import BenefitRow, LevelBenefits, NormalizedBenefits  # noqa: E402
from service.eligibility.benefits import benefits_from_271  # noqa: E402
from service.eligibility.x12.reader_271 import read_271  # noqa: E402
from service.eligibility.x12.tokenizer import tokenize  # noqa: E402
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


def ours_full_parse(text: str) -> int:
    return len(benefits_from_271(text).benefit_rows)


def rates(fns: dict[str, object], docs: list[str], seconds: float) -> dict[str, float]:
    """Docs per CPU second of each function: the best of ~0.1 s rounds, the functions interleaved round by round."""
    for fn in fns.values():
        for d in docs:  # warm up
            fn(d)
    best = dict.fromkeys(fns, 0.0)
    end = time.perf_counter() + seconds * len(fns)
    while time.perf_counter() < end:
        for name, fn in fns.items():
            count = 0
            start = time.process_time()
            while (elapsed := time.process_time() - start) < 0.1:
                for d in docs:
                    fn(d)
                count += len(docs)
            best[name] = max(best[name], count / elapsed)
    return best


def ours_tokenize(text: str) -> int:
    return len(tokenize(text).segments)


def ours_read(text: str) -> int:
    """Tokenize and walk the loops (bytes -> ``Parsed271``): the full parse without the normalization."""
    return len(read_271(text).all_benefits())


def answer_objects_only(text: str) -> Callable[[str], object]:
    """The floor of the full parse with this answer's shape: tokenize, and make the answer's objects (every
    ``BenefitRow``, the six ``LevelBenefits``, the ``NormalizedBenefits``) from values already decoded (taken
    here from one full parse of ``text``; fields left at their defaults are not passed): no walk, no decoding,
    no rule."""
    done = benefits_from_271(text)

    def given(obj: msgspec.Struct) -> dict:
        out = {}
        for f in msgspec.structs.fields(obj):
            default = f.default_factory() if f.default_factory is not msgspec.NODEFAULT else f.default
            if (value := getattr(obj, f.name)) != default:
                out[f.name] = value
        return out

    rows, levels = [given(r) for r in done.benefit_rows], [given(lv) for lv in done.levels]
    top = {k: v for k, v in given(done).items() if k not in ("benefit_rows", "levels")}

    def run(doc: str) -> object:
        tokenize(doc)
        return NormalizedBenefits(**top, benefit_rows=[BenefitRow(**r) for r in rows],
                                  levels=[LevelBenefits(**lv) for lv in levels])

    return run


def one_megabyte_271() -> str:
    """The largest 271 the service accepts in a JSON body (MAX_BODY_BYTES = 1 MiB)."""
    n = 200
    while len(synthetic_271(n)) < 1_000_000:
        n = int(n * 1_000_000 / len(synthetic_271(n))) + 10
    return synthetic_271(n - 10)


TARGET = 10.0


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    samples = [p.read_text() for p in sorted(SAMPLES.glob("*.271")) if p.name.startswith(("lfh-", "badx12-"))]
    five_kb = synthetic_271(50)
    big = synthetic_271()
    print(f"5 KB 271: {len(five_kb):,} characters; synthetic 271: {big.count('EB*')} EB loops, {len(big):,} characters"
          f"; load average {_load()} (a shared machine: the ratios are what compares)")
    print(f"{'case':<20}{'pyx12 tokenize':>15}{'ours tokenize':>15}{'ratio':>7}{'ours full parse':>17}{'ratio':>7}")
    figures = {}
    for name, docs in (("samples (7 x 271)", samples), ("5 KB 271", [five_kb]), ("synthetic 200 EB", [big])):
        r = rates({"pyx12": pyx12_tokenize, "tokenize": ours_tokenize, "full": ours_full_parse}, docs, seconds)
        figures[name] = r
        print(f"{name:<20}{r['pyx12']:>13,.0f}/s{r['tokenize']:>13,.0f}/s{r['tokenize'] / r['pyx12']:>6.1f}x"
              f"{r['full']:>15,.0f}/s{r['full'] / r['pyx12']:>6.1f}x")
    five = figures["5 KB 271"]
    tok_ratio, full_ratio = five["tokenize"] / five["pyx12"], five["full"] / five["pyx12"]
    print(f"5 KB 271 vs pyx12's X12Reader tokenizer: tokenizer only {tok_ratio:.1f}x, "
          f"full parse (bytes -> NormalizedBenefits) {full_ratio:.1f}x; target >= {TARGET:.0f}x for the full parse: "
          f"{'met' if full_ratio >= TARGET else 'NOT met'} (both sides pure Python, nothing of ours compiled; "
          "nothing cached between documents but values: dates, EB08/EB10 numbers, valid segment ids)")
    # Where the full parse's time goes (per document, from rates measured together; differences of rates):
    phases = rates({"tokenize": ours_tokenize, "read": ours_read, "full": ours_full_parse,
                    "floor": answer_objects_only(five_kb)}, [five_kb], seconds)
    tok_us, read_us, full_us, floor_us = (1e6 / phases[k] for k in ("tokenize", "read", "full", "floor"))
    print(f"5 KB 271, full parse {full_us:,.0f} us: tokenize {tok_us:,.0f} us, loop walk (-> Parsed271) "
          f"{read_us - tok_us:,.0f} us, normalization (rows, levels, Medicare/Medicaid/other payers/contacts) "
          f"{full_us - read_us:,.0f} us; 10x pyx12 would be {1e6 / five['pyx12'] / TARGET:,.0f} us")
    print(f"5 KB 271, the floor with this answer's shape (tokenize + making its BenefitRows, LevelBenefits and "
          f"NormalizedBenefits from values already decoded; no walk, no decoding, no rule): {floor_us:,.0f} us, "
          f"{phases['floor'] / five['pyx12']:.1f}x pyx12's tokenizer")
    megabyte = one_megabyte_271()
    t0 = time.process_time()
    ours_full_parse(megabyte)
    inline = time.process_time() - t0
    print(f"1 MB 271 ({len(megabyte):,} characters, {megabyte.count('EB*'):,} EB loops): full parse inline "
          f"{inline:.2f} s of CPU")
    print("(/health while the service reads a 1 MB 271: bench/x12_health.py)")
    print(f"load average at the end {_load()}")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
