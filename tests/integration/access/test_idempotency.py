"""Idempotency-Key on POSTs: replay, reuse with another body, in-flight duplicates, restarts."""

from __future__ import annotations

import datetime as dt
import uuid

from service.access.idempotency import request_hash


def _key() -> str:
    return f"test-{uuid.uuid4()}"


MANUAL_CHECK = {
    "subscriber": {"first_name": "IDEM", "last_name": "POTENT", "date_of_birth": "1980-02-03", "member_id": "IDEM-1"},
    "benefits": {
        "payer_name": "ACME PPO", "payer_class": "commercial", "insurance_type": "commercial_ppo", "active": True,
        "in_network": {"coinsurance_percent": "20"}, "heard_from": {"representative_name": "Pat"},
    },
}


def test_ten_retries_store_one_row_and_return_the_first_response(client, headers, db) -> None:
    key = _key()
    body = {**MANUAL_CHECK, "subscriber": {**MANUAL_CHECK["subscriber"], "member_id": f"IDEM-{uuid.uuid4().hex[:8]}"}}
    answers = [
        client.post("/v1/eligibility/manual", json=body, headers={**headers["intake"], "Idempotency-Key": key})
        for _ in range(10)
    ]
    assert {a.status_code for a in answers} == {201}, answers[0].text
    assert len({a.content for a in answers}) == 1
    assert {a.headers["content-type"] for a in answers} == {answers[0].headers["content-type"]}
    assert "idempotent-replayed" not in answers[0].headers
    assert all(a.headers["idempotent-replayed"] == "true" for a in answers[1:])
    patient = answers[0].json()["patient"]["patient_key"]  # unique to this test's member id
    assert db.fetchval("SELECT count(*) FROM eligibility_checks WHERE patient_key = $1", patient) == 1
    assert db.fetchval("SELECT count(*) FROM idempotency_keys WHERE key = $1", key) == 1
    replays = db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'idempotency.replay' AND request_id = ANY($1::text[])",
        [a.headers["x-request-id"] for a in answers],
    )
    assert replays == 9


def test_retried_key_creation_makes_one_key_and_never_stores_its_secret(client, headers, db) -> None:
    key, name = _key(), f"idem {uuid.uuid4().hex[:8]}"
    answers = [
        client.post("/v1/admin/keys", json={"name": name, "role": "intake"}, headers={**headers["admin"], "Idempotency-Key": key})
        for _ in range(3)
    ]
    assert {a.status_code for a in answers} == {201}
    secret = answers[0].json()["secret"]
    assert secret.startswith("bek_")
    assert db.fetchval("SELECT count(*) FROM api_keys WHERE name = $1", name) == 1
    stored = bytes(db.fetchval("SELECT response_body FROM idempotency_keys WHERE key = $1", key))
    assert secret.encode() not in stored
    for replay in answers[1:]:
        assert replay.json()["secret"] == "[not stored: shown only in the first response]"
        assert replay.json()["prefix"] == answers[0].json()["prefix"]


def test_same_key_with_another_body_is_422(client, headers, db) -> None:
    key = _key()
    first = client.post("/v1/admin/keys", json={"name": "reuse a", "role": "intake"}, headers={**headers["admin"], "Idempotency-Key": key})
    assert first.status_code == 201
    second = client.post("/v1/admin/keys", json={"name": "reuse b", "role": "intake"}, headers={**headers["admin"], "Idempotency-Key": key})
    assert second.status_code == 422
    assert second.headers["content-type"].startswith("application/problem+json")
    assert second.json()["type"].endswith("/idempotency-key-reused")
    assert db.fetchval("SELECT count(*) FROM api_keys WHERE name = 'reuse b'") == 0


def test_keys_are_scoped_per_caller(client, headers, api_keys, db) -> None:
    key, name = _key(), f"scoped {uuid.uuid4().hex[:8]}"
    other_admin = client.post("/v1/admin/keys", json={"name": "second admin", "role": "admin"}, headers=headers["admin"]).json()
    for secret in (api_keys["admin"], other_admin["secret"]):
        response = client.post("/v1/admin/keys", json={"name": name, "role": "billing"}, headers={"X-API-Key": secret, "Idempotency-Key": key})
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
    assert db.fetchval("SELECT count(*) FROM api_keys WHERE name = $1", name) == 2


def test_a_duplicate_while_the_first_is_in_flight_is_409(client, headers, db) -> None:
    key = _key()
    body = b'{"name": "in flight", "role": "intake"}'
    caller = db.fetchval("SELECT id::text FROM api_keys WHERE name = 'test admin'")
    db.execute(
        "INSERT INTO idempotency_keys (caller, key, request_hash, locked_until) VALUES ($1, $2, $3, now() + interval '1 minute')",
        caller, key, request_hash("POST", "/v1/admin/keys", b"", body),
    )
    response = client.post(
        "/v1/admin/keys", content=body,
        headers={**headers["admin"], "Idempotency-Key": key, "Content-Type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["type"].endswith("/idempotency-request-in-flight")
    assert response.headers["retry-after"] == "1"
    assert db.fetchval("SELECT count(*) FROM api_keys WHERE name = 'in flight'") == 0

    # The claim of a process that died expires at locked_until; then a retry runs.
    db.execute("UPDATE idempotency_keys SET locked_until = now() - interval '1 second' WHERE key = $1", key)
    retried = client.post(
        "/v1/admin/keys", content=body,
        headers={**headers["admin"], "Idempotency-Key": key, "Content-Type": "application/json"},
    )
    assert retried.status_code == 201
    assert db.fetchval("SELECT count(*) FROM api_keys WHERE name = 'in flight'") == 1


def test_client_errors_are_stored_too(client, headers, db) -> None:
    key = _key()
    first = client.post("/v1/admin/keys", json={"name": "x", "role": "janitor"}, headers={**headers["admin"], "Idempotency-Key": key})
    again = client.post("/v1/admin/keys", json={"name": "x", "role": "janitor"}, headers={**headers["admin"], "Idempotency-Key": key})
    assert first.status_code == again.status_code == 400
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert db.fetchval("SELECT status FROM idempotency_keys WHERE key = $1", key) == 400


def test_expired_keys_count_as_new(client, headers, db) -> None:
    key, name = _key(), f"expired {uuid.uuid4().hex[:8]}"
    h = {**headers["admin"], "Idempotency-Key": key}
    assert client.post("/v1/admin/keys", json={"name": name, "role": "intake"}, headers=h).status_code == 201
    db.execute("UPDATE idempotency_keys SET created_at = $2 WHERE key = $1", key, dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    again = client.post("/v1/admin/keys", json={"name": name, "role": "intake"}, headers=h)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert db.fetchval("SELECT count(*) FROM api_keys WHERE name = $1", name) == 2


def test_a_restarted_app_replays_the_stored_response(client, headers, second_app, db) -> None:
    key = _key()
    h = {**headers["intake"], "Idempotency-Key": key}
    body = {**MANUAL_CHECK, "subscriber": {**MANUAL_CHECK["subscriber"], "member_id": f"RESTART-{uuid.uuid4().hex[:8]}"}}
    first = client.post("/v1/eligibility/manual", json=body, headers=h)
    assert first.status_code == 201, first.text
    with second_app() as restarted:
        again = restarted.post("/v1/eligibility/manual", json=body, headers=h)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert db.fetchval("SELECT count(*) FROM eligibility_checks WHERE id = $1::uuid", first.json()["id"]) == 1


def test_bad_key_and_no_key(client, headers) -> None:
    bad = client.post("/v1/admin/keys", json={"name": "x", "role": "intake"}, headers={**headers["admin"], "Idempotency-Key": "has space"})
    assert bad.status_code == 400
    plain = [client.post("/v1/admin/keys", json={"name": "no key", "role": "intake"}, headers=headers["admin"]) for _ in range(2)]
    assert plain[0].json()["id"] != plain[1].json()["id"]  # without the header a POST is not deduplicated


def test_body_over_the_limit_is_413_with_a_key(client, headers, settings) -> None:
    big = b'{"name": "' + b"x" * (settings.max_body_bytes + 10) + b'", "role": "intake"}'
    response = client.post(
        "/v1/admin/keys", content=big,
        headers={**headers["admin"], "Content-Type": "application/json", "Idempotency-Key": _key()},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
