"""create_app(settings) → Litestar: plugins, controllers, lifespan, errors. Nothing else."""

from __future__ import annotations

from types import MethodType
from typing import Any

import msgspec
from litestar import Litestar
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from service.access import routes as access_routes
from service.access import tokens as portal_tokens
from service.access.metrics import initialize_routes
from service.config import Settings, load_settings
from service.console import patient as patient_routes
from service.console import routes as console_routes
from service.content_type import require_json_body
from service.docs import docs_assets_router, swagger_ui_plugin
from service.eligibility import checks_by_id, reused_checks
from service.eligibility import routes as eligibility_routes
from service.eligibility.batches import routes as batch_routes
from service.eligibility.payers import routes as payer_routes
from service.errors import exception_handlers
from service.health import HealthController
from service.lifecycle import lifespan
from service.logging import configure_logging
from service.middleware import RequestContextMiddleware
from service.openapi import FinishedJsonRenderPlugin
from service.pricing import routes as pricing_routes
from service.pricing.selfpay import routes as selfpay_routes
from service.request_body import JsonRequest
from service.route_layer import RouteLayer

API_VERSION = "0.1.0"

#: Route modules, each exposing ``CONTROLLERS`` (a list), imported by name: a typo fails at start-up.
ROUTE_MODULES = (eligibility_routes, payer_routes, batch_routes, pricing_routes, selfpay_routes, access_routes,
                 console_routes, patient_routes)


def _controllers() -> list[Any]:
    return [HealthController, *(c for module in ROUTE_MODULES for c in module.CONTROLLERS)]


def _forbid_unknown_fields_in_schema(app: Litestar) -> None:
    """msgspec's forbid_unknown_fields is not shown in the OpenAPI: mark those schemas closed."""
    closed = {
        cls.__name__
        for cls in _all_struct_types()
        if getattr(cls, "__struct_config__", None) is not None and cls.__struct_config__.forbid_unknown_fields
    }
    schemas = app.openapi_schema.components.schemas or {}
    for name, schema in schemas.items():
        if name in closed or name.rsplit("_", 1)[-1] in closed:
            schema.additional_properties = False


def _all_struct_types() -> set[type]:
    seen: set[type] = set()
    stack: list[type] = [msgspec.Struct]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return seen


async def _authorize_without_copy(handler: Any, connection: Any) -> None:
    for guard in handler.resolve_guards():
        await guard(connection, handler)


def _guards_get_the_handler(app: Litestar) -> None:
    """Guards get the route handler itself, not ``copy(handler)``.

    Litestar's ``authorize_connection`` passes every guard a fresh copy of the route handler: 40 us a call on this
    machine (some 40 slots copied through ``__reduce_ex__``), on every guarded request. The service's guards
    (service/access/roles.py) only read the handler (its operation id, for the audit row of a refusal), so the copy
    protects nothing they do. Each guarded handler gets an ``authorize_connection`` of its own that skips it (the
    OPTIONS handlers Litestar builds itself have no instance dictionary and keep the copy: they are rarely called)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and hasattr(handler, "__dict__") and handler.resolve_guards():
                handler.authorize_connection = MethodType(_authorize_without_copy, handler)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = Litestar(
        route_handlers=[*_controllers(), docs_assets_router()],
        # One layer, in order: metrics, rate limit, Location on 201s (replays too), idempotency, timeout (the request
        # id and authentication come first, in RequestContextMiddleware below).
        middleware=[RouteLayer],
        exception_handlers=exception_handlers(),
        before_request=require_json_body,
        lifespan=[lifespan],
        on_startup=[_forbid_unknown_fields_in_schema, initialize_routes],
        state=State({"settings": settings}),
        request_max_body_size=settings.max_body_bytes,
        request_class=JsonRequest,  # JSON bodies: depth and bounds checked once, for every route
        openapi_config=OpenAPIConfig(
            title="Benefits and cost estimates",
            version=API_VERSION,
            description=(
                "Eligibility and benefits (X12 270/271), sliding-scale discounts, payment plans and patient cost "
                "estimates for IOP, PHP and inpatient psychiatric care. Money is a two-decimal string in USD."
            ),
            path="/schema",
            # Both serve the document finished by service.openapi (problems, headers, roles, examples).
            render_plugins=[swagger_ui_plugin(), FinishedJsonRenderPlugin(path="/openapi.json")],
            components=Components(
                security_schemes={
                    "ApiKey": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header"),
                    "PortalToken": SecurityScheme(type="http", scheme="bearer"),
                }
            ),
        ),
        logging_config=None,
        debug=False,
    )
    _guards_get_the_handler(app)
    portal_tokens.install(app)  # app.state.portal_token_resolver for Bearer portal tokens
    # Outermost, around the router too: unmatched paths (404/405) also get a request id and an access-log line,
    # and every route middleware below already knows the caller.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler, reused_checks.install(app),
                                                checks_by_id.install(app))
    return app


def app_from_env() -> Litestar:
    """Entry point for ``uvicorn --factory service.app:app_from_env``."""
    return create_app(load_settings())
