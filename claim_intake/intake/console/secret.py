"""The console's secret: signs session cookies and follow-up links."""

from __future__ import annotations

import os
import secrets

from claim_intake.intake.settings import Settings

SECRET_FILE = "console-secret"


def console_secret(settings: Settings) -> str:
    """The configured secret, or one generated on first use and kept in the data folder, so that
    a restart keeps staff logged in and claimants' links working."""
    if settings.console_secret is not None:
        return settings.console_secret.get_secret_value()
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once agree on the first one's secret.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
