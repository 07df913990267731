"""A typed client generated from the OpenAPI snapshot (openapi-python-client) runs the intake flow.

Generated with zero warnings from ``contracts/openapi.json``, then used as a billing system or a
portal would, over real HTTP against the running service and the sandbox payer: eligibility
check (201, then 200 when reused), estimate, portal token, the portal's estimate, and a typed
problem for an unknown estimate.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.app import create_app
from service.threaded_server import ThreadedServer

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = "benefits_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("generated")
    config = out / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: the generated code is used as is
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(generator), "generate", "--path", str(ROOT / "contracts" / "openapi.json"), "--meta", "none",
         "--config", str(config), "--output-path", str(out / PACKAGE)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output  # e.g. an operation or schema it could not generate
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def base_url(settings, client) -> Any:  # noqa: ANN001 - client: migrations and keys exist first
    server = ThreadedServer(create_app(settings), "127.0.0.1", 0)
    url = server.start(timeout=60)
    try:
        yield url
    finally:
        server.stop()


def test_intake_flow_through_the_generated_client(generated: Any, base_url: str,
                                                  api_keys: dict[str, str]) -> None:
    from benefits_client import AuthenticatedClient  # noqa: PLC0415
    from benefits_client.api.eligibility import create_eligibility_check  # noqa: PLC0415
    from benefits_client.api.estimates import create_estimate, get_estimate  # noqa: PLC0415
    from benefits_client.api.portal import create_portal_token, get_portal_estimate  # noqa: PLC0415
    from benefits_client.api.self_pay import calculate_fpl_tier  # noqa: PLC0415
    from benefits_client import models  # noqa: PLC0415

    intake = AuthenticatedClient(base_url=base_url, token=api_keys["intake"], prefix="", auth_header_name="X-API-Key")
    check_request = models.EligibilityCheckRequest.from_dict({
        "payer_id": "SBPPO", "date_of_service": "2026-03-02",
        "subscriber": {"first_name": "DANIEL", "last_name": "MILLER", "date_of_birth": "1980-01-15",
                       "member_id": "PPO-FAM-006"},
    })
    first = create_eligibility_check.sync_detailed(client=intake, body=check_request, refresh=True)
    assert first.status_code == 201, first.content
    assert isinstance(first.parsed, models.EligibilityCheck) and first.parsed.status == "active"
    assert first.headers["location"] == f"/v1/eligibility/checks/{first.parsed.id}"
    again = create_eligibility_check.sync_detailed(client=intake, body=check_request)
    assert again.status_code == 200 and isinstance(again.parsed, models.EligibilityCheck)  # reused: a typed 200
    assert again.parsed.id == first.parsed.id

    estimate = create_estimate.sync_detailed(
        client=intake,
        body=models.EstimateRequest.from_dict({"eligibility_check_id": first.parsed.id, "levels": ["iop"]}),
        idempotency_key="generated-client-estimate",
    )
    assert estimate.status_code == 201, estimate.content
    assert isinstance(estimate.parsed, models.EstimateResponse)
    (iop,) = estimate.parsed.comparison.estimates
    assert iop.level == models.Level.IOP

    token = create_portal_token.sync_detailed(
        estimate.parsed.estimate_id, client=intake, body=models.PortalTokenCreate(ttl_seconds=600)
    )
    assert token.status_code == 201, token.content
    portal = AuthenticatedClient(base_url=base_url, token=token.parsed.token)  # Authorization: Bearer
    seen = get_portal_estimate.sync_detailed(client=portal)
    assert seen.status_code == 200, seen.content
    assert isinstance(seen.parsed, models.PortalEstimate)
    assert seen.parsed.estimate.comparison.estimates[0].totals.to_dict() == iop.totals.to_dict()  # typed, not a dict

    missing = get_estimate.sync_detailed("5d2f3c1a-8b7e-4c6d-9e0f-1a2b3c4d5e6f", client=intake)
    assert missing.status_code == 404 and isinstance(missing.parsed, models.Problem)
    assert missing.parsed.type_.endswith("/not-found")
    tier = calculate_fpl_tier.sync_detailed(
        client=intake, body=models.FplCalculatorRequest.from_dict(
            {"household": {"size": 3, "annual_income": "35000", "state": "CA"}, "determination_date": "2026-03-02"}),
    )
    assert tier.status_code == 200 and tier.parsed.tier_code == "C"  # the operation a Household clash dropped
