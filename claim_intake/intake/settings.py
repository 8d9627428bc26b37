"""Settings, read once at the edge from ``CLAIM_INTAKE_*`` variables and passed in explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyNetwork, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from claim_intake.benefit.rules import BenefitRules, benefit_rules
from claim_intake.ocr.engine import engine_factory
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import EngineFactory
from claim_intake.validators.ruleset import RuleSet, load_rule_set
from claim_intake.workers.options import QueueOptions
from claim_intake.workers.policy import ReadPolicy


class Settings(BaseSettings):
    """Nested values use ``__``: ``CLAIM_INTAKE_READ__RAPIDOCR__THREADS=1``."""

    model_config = SettingsConfigDict(
        env_prefix="CLAIM_INTAKE_", env_nested_delimiter="__", frozen=True, extra="forbid"
    )

    read: ReadOptions = ReadOptions()
    rules_dir: Path | None = None
    """A folder of the organisation's rule sets (``inpatient.yaml``...) replacing the defaults."""
    benefit_rules: Path | None = None
    """The programme's benefit rule file (docs/benefit-rules.md); unset: the demo default, whose
    figures are examples."""

    # The service (``claim-intake serve``). Embedded defaults need nothing but a writable folder.
    data_dir: Path = Path("var")
    """Where the embedded defaults live: the SQLite database and the objects folder."""
    database_url: str | None = None
    """SQLAlchemy URL; unset = SQLite at ``data_dir/claim-intake.db``. PostgreSQL:
    ``postgresql+psycopg://user@host/db``."""
    storage_url: str | None = None
    """Where original uploads are kept: a folder path, or ``s3://BUCKET``; unset = ``data_dir/objects``."""
    s3_endpoint: str = "127.0.0.1:9000"
    """``host:port`` of the S3 service (MinIO, SeaweedFS, AWS)."""
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = False
    storage_keys: dict[str, SecretStr] = {}
    """Master keys that encrypt the stored originals (``store/crypto.py``), by name, the first
    the current one: JSON, ``'{"2026-12": "<base64 of 32 random bytes>"}'``. Empty: stored as sent.
    Make one with ``python -c "import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"``."""
    s3_timeout_s: float = Field(default=5.0, gt=0)
    """Connect and read timeout: a store that does not answer in time is unavailable (503)."""
    migrate_on_start: bool = True
    """Run the database migrations (``upgrade head``) when the service starts."""
    read_workers: int = Field(default=1, ge=1)
    """Documents read at once per process; each loads its own share of the OCR threads."""
    read_attempts: int = Field(default=3, ge=1)
    """Tries for a document whose reading failed with a retryable error."""
    max_files_per_request: int = Field(default=20, ge=1)
    max_request_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    """The largest upload request (all its files); a larger declared body is refused unread, and
    a body that grows past it while arriving is cut off. Per file: ``read.limits.max_file_bytes``."""
    upload_threads: int = Field(default=3, ge=1)
    """Upload requests stored and recorded at once; the others wait with their files spooled.
    Their Python holds the GIL: more threads only contend with the event loop receiving the
    rest (``benchmarks/burst.py`` on 2 cores: 3 and 4 did best of 1, 2, 3, 4, 6 and unlimited)."""
    upload_memory_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    """How much of one upload request is held in memory as it arrives (a claim's few phone
    photos); files past it are spooled to temporary files."""
    max_form_bytes: int = Field(default=1024 * 1024, gt=0)
    """The largest body of any other request (forms, JSON), and of an upload before its caller
    is authenticated."""
    page_size: int = Field(default=50, ge=1, le=500)
    """Claims per page of ``GET /v1/claims``."""
    timezone: str = "Asia/Shanghai"
    """A claim's submission date (for deadlines) is the calendar date here when it arrived."""
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    webhook_attempts: int = Field(default=5, ge=1)
    webhook_backoff_s: float = Field(default=1.0, ge=0)
    """First wait between delivery attempts; doubles each time (capped at 60 s)."""
    webhook_allowed_networks: list[IPvAnyNetwork] = []
    """Networks a webhook may point into although they are not public (loopback, private,
    link-local...): JSON, ``'["10.20.0.0/16"]'``. Empty: public addresses only."""

    # The staff console and the claimant's follow-up page (``intake/web``).
    console_secret: SecretStr | None = None
    """Signs console sessions and follow-up links. Unset: generated once and kept in
    ``data_dir/console-secret``; set it when several hosts serve the console."""
    console_session_hours: float = Field(default=12.0, gt=0)
    """A staff login lasts this long."""
    login_window_minutes: float = Field(default=15.0, gt=0)
    login_max_account_failures: int = Field(default=5, ge=1)
    """Failed logins of one account within the window that lock it until the oldest leaves it."""
    login_max_address_failures: int = Field(default=20, ge=1)
    """Failed logins from one address within the window (any account) that refuse it likewise."""
    secure_cookies: bool = False
    """Send the session cookie over HTTPS only: set it behind TLS."""
    follow_up_link_days: float = Field(default=7.0, gt=0)
    """How long a claimant's follow-up link works."""
    follow_up_link_uploads: int = Field(default=3, ge=1)
    """Uploads one follow-up link allows; staff send a new link (revoking the old) for more."""
    public_url: str | None = None
    """The address claimants reach the service at (``https://claims.example.org``), for follow-up
    links; unset = the address of the staff member's own request."""

    # Personal data (``intake/erasure.py``).
    retention_days: float | None = Field(default=None, gt=0)
    """Claims that have stayed in a ``retention_states`` state this many days are erased with
    their files (hourly: by beat, or by the embedded service itself; ``claim-intake retention`` by
    hand). Unset: kept."""
    retention_states: list[str] = ["paid", "rejected"]
    """The final states retention counts from: a claim paid out or turned down (``complete`` now
    waits for a decision, so it is no final state)."""
    # The member's own phone (``/m``, ``intake/member``).
    member_code_minutes: float = Field(default=10.0, gt=0)
    """How long a one-time code sent to a member's phone works."""
    member_link_days: float = Field(default=365.0, gt=0)
    """How long a member's status link works (with a code sent to the phone each time)."""
    member_rate_window_s: float = Field(default=600.0, gt=0)
    member_rate_per_ip: int = Field(default=120, ge=1)
    """Requests that change something on the public pages, per address and window."""
    member_rate_per_phone: int = Field(default=5, ge=1)
    """Codes sent and identifications tried per phone and window."""
    notifier: Literal["outbox", "webhook"] = "outbox"
    """How messages reach members: kept in the outbox for staff (the default), or POSTed as JSON
    to ``notifier_webhook_url`` (the organisation's SMS gateway). SMS: ``member.notify.SmsChannel``."""
    notifier_webhook_url: str | None = None

    # Scale-out (``claim-intake worker`` and ``beat``). Unset broker: reading runs in this process.
    broker_url: str | None = None
    """Celery broker, e.g. ``redis://127.0.0.1:6379/0``. Set: the API only enqueues, and
    ``claim-intake worker`` processes read. Unset: the embedded in-process executor."""
    queue: QueueOptions = QueueOptions()
    """Leases, time limits, retries and worker memory bound: ``CLAIM_INTAKE_QUEUE__LEASE_S``..."""

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'claim-intake.db'}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or str(self.data_dir / "objects")

    def engine_factory(self) -> EngineFactory:
        return engine_factory(self.read)

    def read_policy(self) -> ReadPolicy:
        """What a failed read leads to, in the embedded executor and the Celery workers alike."""
        return ReadPolicy(attempts=self.read_attempts, backoff_s=self.queue.retry_backoff_s,
                          backoff_max_s=self.queue.retry_backoff_max_s)

    def rule_set(self, claim_type: str) -> RuleSet:
        return load_rule_set(claim_type, self.rules_dir)

    def benefit(self) -> BenefitRules:
        return benefit_rules(self.benefit_rules)
