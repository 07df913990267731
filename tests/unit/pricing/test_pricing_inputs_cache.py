"""The readings an estimate reuses (estimate_inputs.InputsCache): found only for a first service day in their window,
never from an older generation once a newer one is kept, the least recently used key dropped first."""

from __future__ import annotations

import datetime as dt

from service.pricing.estimate_inputs import EstimateInputs, InputsCache

D = dt.date


def _reading(generation: int, valid_from: dt.date | None, valid_until: dt.date | None) -> EstimateInputs:
    return EstimateInputs(on=valid_from or D(2026, 1, 1), payer_id="P", plan_code=None, any_contract_in_force=False,
                          contracts=[], in_force={}, by_label={}, rows={}, organization_id="default",
                          config={"config_through": None}, generation=generation, valid_from=valid_from,
                          valid_until=valid_until)


def test_a_reading_serves_its_window_of_first_days_only() -> None:
    cache = InputsCache()
    key = ("org", "org", "P", None, None)
    january = _reading(7, D(2026, 1, 1), D(2026, 3, 1))  # [Jan 1, Mar 1)
    cache.put(key, january)
    assert cache.get(key, D(2026, 1, 1)) is january and cache.get(key, D(2026, 2, 28)) is january
    assert cache.get(key, D(2026, 3, 1)) is None and cache.get(key, D(2025, 12, 31)) is None
    march = _reading(7, D(2026, 3, 1), None)  # from Mar 1 on, for good
    cache.put(key, march)
    assert cache.get(key, D(2031, 1, 1)) is march and cache.get(key, D(2026, 2, 1)) is january
    assert cache.get(("other", "other", "P", None, None), D(2026, 2, 1)) is None


def test_a_newer_generation_drops_the_older_readings_of_its_key() -> None:
    cache = InputsCache()
    key = ("org", "org", "P", None, None)
    cache.put(key, _reading(7, D(2026, 1, 1), D(2026, 3, 1)))
    newer = _reading(8, D(2026, 3, 1), None)
    cache.put(key, newer)
    assert cache.get(key, D(2026, 2, 1)) is None  # read at generation 7: not kept beside 8
    assert cache.get(key, D(2026, 4, 1)) is newer


def test_the_least_recently_used_key_goes_first() -> None:
    cache = InputsCache(max_keys=2, windows_per_key=2)
    keys = [("org", "org", payer, None, None) for payer in ("A", "B", "C")]
    for key in keys[:2]:
        cache.put(key, _reading(1, None, None))
    assert cache.get(keys[0], D(2026, 1, 1)) is not None  # A used last: B goes when C comes
    cache.put(keys[2], _reading(1, None, None))
    assert [cache.get(key, D(2026, 1, 1)) is not None for key in keys] == [True, False, True]
    assert len(cache) == 2
    for start in (1, 2, 3):  # a third window of one key pushes out its oldest
        cache.put(keys[0], _reading(1, D(2026, start, 1), D(2026, start + 1, 1)))
    assert [cache.get(keys[0], D(2026, month, 15)) is not None for month in (1, 2, 3)] == [False, True, True]
