"""Insurance eligibility, benefits and patient cost estimates for psychiatric care."""
