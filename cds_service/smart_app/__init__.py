"""The SMART on FHIR app: the patient's CTD-ILD course at a glance (issue: timeline page).

A SMART App Launch 2.0 public client (PKCE S256) served by the service under the path of
``CDS_SMART_APP_URL``: EHR launch and standalone launch, tokens kept server-side in the
service's database, the timeline page drawn from the same record and rules as the cards.

``register(app, settings, storage, terminology)`` adds the routes when the app is
configured (``SmartConfig.from_env``) and returns the configuration (None: not deployed).
"""

from __future__ import annotations

from flask import Flask

from fhir_mappings.terminology import Terminology

from ..settings import Settings
from ..storage import Storage
from .config import SmartConfig


def register(
    app: Flask, settings: Settings, storage: Storage, terminology: Terminology | None
) -> SmartConfig | None:
    config = SmartConfig.from_env(dev=settings.dev)
    if config is None:
        return None
    from .views import create_blueprint

    app.register_blueprint(create_blueprint(settings, config, storage, terminology))
    return config
