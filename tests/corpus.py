"""The X12 conformance corpus in ``tests/data/x12`` (sources and licences in its README.md).

Tests and benches read test data from inside the repository only.
"""

from __future__ import annotations

from pathlib import Path

X12_CORPUS = Path(__file__).resolve().parent / "data" / "x12"


def x12(name: str) -> str:
    """One corpus file's text, exactly as stored (line endings and separators untouched)."""
    return (X12_CORPUS / name).read_text(encoding="ascii")

def x12_with_extra_rows(name: str, rows: int = 500) -> str:
    """A corpus 271 with ``rows`` extra benefit rows (each a mental-health coinsurance row and its MSG) before its
    SE: a large document, read in the worker process (``service/eligibility/parsing.py``)."""
    extra = "".join(f"EB*A*IND*MH*PR****0.25****Y~\nMSG*ROW {i}~\n" for i in range(rows))
    return x12(name).replace("SE*", extra + "SE*", 1)


#: Files copied unchanged from public repositories (the rest of the corpus is written for this project).
PUBLIC_PREFIXES = ("lfh-", "badx12-")


def public_samples(pattern: str = "*.271") -> list[Path]:
    """The copied public samples matching ``pattern``, sorted by name."""
    return sorted(p for p in X12_CORPUS.glob(pattern) if p.name.startswith(PUBLIC_PREFIXES))
