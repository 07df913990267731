"""Every estimate of a fixed, seeded set answers exactly as main answered it when the digests were stored
(golden_estimates.py): the engine may change how it works, never a figure or a word it gives."""

from golden_estimates import SEEDS, digest, stored


def test_the_seeded_estimates_answer_as_stored():
    expected = stored()
    assert sorted(expected, key=int) == [str(seed) for seed in SEEDS]
    changed = [seed for seed in SEEDS if digest(seed) != expected[str(seed)]]
    # show one: .venv/bin/python tests/unit/pricing/golden_estimates.py --show SEED
    assert changed == []
