"""Flask blueprints: /v1 (ingest), /client (storefront), /api (admin), errors, OpenAPI."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from backend.api import admin, errors, flows, ingest, openapi, read

    errors.register(app)
    app.register_blueprint(admin.bp)
    app.register_blueprint(ingest.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(read.bp)
    app.register_blueprint(flows.bp)
    from backend.api import forms as forms_api
    app.register_blueprint(forms_api.bp)
    from backend.api import dashboards as dashboards_api
    app.register_blueprint(dashboards_api.bp)
    from backend.api import client as client_api
    app.register_blueprint(client_api.bp)
