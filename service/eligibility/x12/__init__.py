"""Pure X12 005010X279A1 (270/271) layer: tokenizer, writer, 270 builder, 270/271 readers.

No I/O, no clock, no logging. Public entry points:

- :func:`tokenize` - text -> delimiters + segments (raises :class:`X12FormatError`)
- :func:`write_segments`, :func:`write_interchange` - segments -> text with correct envelopes
- :func:`build_270` - :class:`EligibilityInquiry` + :class:`Envelope` -> 270 text
- :func:`read_271` / :func:`read_270` - text -> parsed domain objects (PHI kept apart)
"""

from service.eligibility.x12.builder_270 import (
    Dependent, EligibilityInquiry, Payer, Provider, Subscriber, build_270, npi_is_valid,
)
from service.eligibility.x12.reader_270 import Parsed270, read_270
from service.eligibility.x12.reader_271 import Parsed271, read_271
from service.eligibility.x12.tokenizer import Delimiters, Tokenized, X12FormatError, expect_transaction, tokenize
from service.eligibility.x12.writer import (
    DEFAULT_DELIMITERS, Composite, ControlNumberCounter, Envelope, X12ValueError, composite, write_interchange,
    write_segments,
)

__all__ = [
    "Composite", "ControlNumberCounter", "DEFAULT_DELIMITERS", "Delimiters", "Dependent", "EligibilityInquiry",
    "Envelope", "Parsed270", "Parsed271", "Payer", "Provider", "Subscriber", "Tokenized", "X12FormatError",
    "X12ValueError", "build_270", "composite", "expect_transaction", "npi_is_valid", "read_270", "read_271",
    "tokenize", "write_interchange", "write_segments",
]
