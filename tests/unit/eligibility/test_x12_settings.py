"""Settings that go into every 270 are refused at start-up, not on every check."""

from __future__ import annotations

import pytest

from service.config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("X12_SUBMITTER_ID", "CLINIC\u00c9"),  # isalnum(), but not X12: every check was a 500
        ("X12_RECEIVER_ID", "\u0663\u0663"),
        ("PROVIDER_NAME", "DR \u00d6Z CLINIC"),  # every check was a 400 blaming the caller's "$.provider.name"
        ("PROVIDER_NAME", "SMITH*JONES"),
        ("PROVIDER_NAME", "X" * 61),
        ("PROVIDER_NPI", "1234567890"),  # bad check digit: every check was a 400 blaming "$.provider.npi"
        ("PROVIDER_NPI", "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0663"),
    ],
)
def test_x12_settings_that_no_270_could_carry_stop_the_service(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value})


def test_defaults_and_ordinary_values_still_load():
    s = load_settings({"X12_SUBMITTER_ID": "DEMO SUB 01", "PROVIDER_NAME": "St. Mary's Behavioral Health - East",
                       "PROVIDER_NPI": "1234567893"})
    assert (s.submitter_id, s.provider_name, s.provider_npi) == (
        "DEMO SUB 01", "St. Mary's Behavioral Health - East", "1234567893")
