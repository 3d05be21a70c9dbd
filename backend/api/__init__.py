"""Flask blueprints: /v1 (ingest), /client (storefront), /api (admin), errors, OpenAPI."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from backend.api import (
        admin,
        campaigns,
        client,
        dashboards,
        dimensions,
        email,
        errors,
        flows,
        forms,
        ingest,
        lists,
        openapi,
        predictions,
        privacy,
        read,
        reports,
        segments,
    )
    from backend.api.ids import StoreId

    app.url_map.converters["int"] = StoreId  # before any rule is added: rules bind it then
    errors.register(app)
    app.register_blueprint(reports.web_bp)
    app.register_blueprint(campaigns.web_bp)
    app.register_blueprint(email.api_bp)  # /api/flows/<id>/email
    app.register_blueprint(lists.web_bp)  # /lists/<id>/export.csv (logged in)
    for module in (
        admin,
        ingest,
        openapi,
        read,
        flows,
        forms,
        dashboards,
        client,
        reports,
        dimensions,
        segments,
        campaigns,
        predictions,
        email,
        lists,
        privacy,
    ):
        app.register_blueprint(module.bp)
