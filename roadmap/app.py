"""The application factory: settings, database, templates, then every feature's blueprint."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional

from flask import Flask

from roadmap import config
from roadmap.config import PROJECT_ROOT


def create_app(test_config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Build the application: settings, database, templates, features. Touches no data."""
    app = Flask(
        "roadmap",  # the package: its instance folder and logger name
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(Path(__file__).resolve().parent / "static"),
    )
    app.config.update(config.build(app.instance_path, test_config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from roadmap.credentials import keys

    keys.check_at_start(app.config)  # a configured signing key that cannot sign stops us here

    from roadmap import db, logs, mail
    # Every model, so each relationship finds its target whichever features a process uses.
    from roadmap import models  # noqa: F401
    from roadmap.web import (assets, delivery, errors, params, request_log, security, static_files,
                             templating)

    logs.init_app(app)
    request_log.init_app(app)  # first, so its after_request runs last and logs the final status
    db.init_app(app)
    mail.init_app(app)
    templating.init_app(app)
    assets.init_app(app)
    static_files.init_app(app)  # hashed names for url_for('static'); WhiteNoise serves them
    delivery.init_app(app)  # compressed responses; pages never cached
    security.init_app(app)
    errors.init_app(app)
    params.init_app(app)  # before the blueprints, whose routes use its converter

    from roadmap.accounts import views as accounts_views
    from roadmap.cohorts import views as cohorts_views
    from roadmap.credentials import views as credentials_views
    from roadmap.exports import views as exports_views
    from roadmap.feedback import views as feedback_views
    from roadmap.lna import views as lna_views
    from roadmap.portfolio import views as portfolio_views
    from roadmap.providers import views as providers_views
    from roadmap.readers import views as readers_views
    from roadmap.regions import views as regions_views
    from roadmap.supervision import views as supervision_views
    from roadmap.home import views as home_views

    app.register_blueprint(home_views.bp)
    for feature in (accounts_views, portfolio_views, readers_views, lna_views, supervision_views,
                    cohorts_views, regions_views, providers_views, feedback_views, exports_views,
                    credentials_views):
        feature.init_app(app)

    from roadmap.web import limits

    limits.init_app(app)  # after the features, whose public endpoints it limits

    from roadmap import cli

    cli.init_app(app)
    return app
