"""The one error hierarchy.

Every error carries a stable snake_case ``code`` (shown to API callers and in the CLI's JSON),
a ``retryable`` flag (a task runner retries only these) and the HTTP status the API maps it to.
"""

from __future__ import annotations


class ClaimIntakeError(Exception):
    code: str = "internal_error"
    retryable: bool = False
    http_status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class ConfigurationError(ClaimIntakeError):
    code = "configuration_error"


class ModelNotFoundError(ConfigurationError):
    code = "model_not_found"


class RuleSetError(ConfigurationError):
    code = "invalid_rule_set"


class TemplateError(ConfigurationError):
    code = "invalid_template"


class InvalidAmountWordsError(ClaimIntakeError, ValueError):
    """The text is not a 大写 amount (extraction catches it and leaves the field unread)."""

    code = "invalid_amount_words"
    http_status = 422


class UnreadableFileError(ClaimIntakeError):
    """The upload itself cannot be read; becomes an ``unreadable_file`` finding.

    Callers see the family's code, ``unreadable_file``, with the precise ``reason`` (the
    subclass's code: ``encrypted_pdf``, ``empty_file``...) beside it.
    """

    code = "unreadable_file"
    http_status = 422

    def to_dict(self) -> dict[str, str]:
        return {"code": UnreadableFileError.code, "reason": self.code, "message": self.message}


class EmptyFileError(UnreadableFileError):
    code = "empty_file"


class UnsupportedFileTypeError(UnreadableFileError):
    code = "unsupported_file_type"
    http_status = 415


class CorruptFileError(UnreadableFileError):
    code = "corrupt_file"


class EncryptedPdfError(UnreadableFileError):
    code = "encrypted_pdf"


class OfdWithoutTextError(UnreadableFileError):
    code = "ofd_without_text"


class FileTooLargeError(UnreadableFileError):
    code = "file_too_large"
    http_status = 413


class TooManyPixelsError(UnreadableFileError):
    code = "too_many_pixels"
    http_status = 413


class TooManyPagesError(UnreadableFileError):
    code = "too_many_pages"
    http_status = 413


class ReadTimeoutError(UnreadableFileError):
    """Reading the file took longer than the reader is given: a file that stalls its reader."""

    code = "read_timeout"


class OcrEngineError(ClaimIntakeError):
    """The engine failed on a page it should have read: worth one more try."""

    code = "ocr_engine_error"
    retryable = True


class UnknownClaimTypeError(ClaimIntakeError):
    code = "unknown_claim_type"
    http_status = 422


class InvalidRequestError(ClaimIntakeError):
    """A request the API cannot act on: a missing or malformed parameter."""

    code = "invalid_request"
    http_status = 422


class RequestTooLargeError(ClaimIntakeError):
    """A request body larger than its route accepts (declared or received): refused unread."""

    code = "request_too_large"
    http_status = 413


class WebhookTargetError(InvalidRequestError):
    """A webhook URL that points inside the service's own network (loopback, private,
    link-local, multicast...), unless the operator allowed it."""

    code = "webhook_target_refused"


class InvalidTransitionError(ClaimIntakeError):
    """The claim is not in a state that allows the change (e.g. uploads to a complete claim)."""

    code = "invalid_transition"
    http_status = 409


class AuthError(ClaimIntakeError):
    """No API key, or one that is unknown or revoked."""

    code = "unauthorized"
    http_status = 401


class NotFoundError(ClaimIntakeError):
    """Also what another organisation's claim looks like: its existence is not disclosed."""

    code = "not_found"
    http_status = 404


class StorageUnavailableError(ClaimIntakeError):
    """The object store cannot be reached; uploads are refused rather than half-accepted."""

    code = "storage_unavailable"
    retryable = True
    http_status = 503


class DatabaseUnavailableError(ClaimIntakeError):
    """The database cannot be reached: work waits for it rather than failing."""

    code = "database_unavailable"
    retryable = True
    http_status = 503


class ServiceNotReadyError(ClaimIntakeError):
    code = "not_ready"
    retryable = True
    http_status = 503


class FollowUpLinkError(ClaimIntakeError):
    """A follow-up link that was tampered with, or is for another claim."""

    code = "invalid_link"
    http_status = 403
    reason = "invalid"


class FollowUpLinkExpiredError(FollowUpLinkError):
    code = "link_expired"
    http_status = 410
    reason = "expired"


class FollowUpLinkRevokedError(FollowUpLinkError):
    """Replaced by a newer link of the claim, or revoked by staff."""

    code = "link_revoked"
    http_status = 410
    reason = "revoked"


class FollowUpLinkUsedError(FollowUpLinkError):
    """Its uploads are used up: staff send a new link if more is missing."""

    code = "link_used_up"
    http_status = 410
    reason = "used_up"


class CsrfError(ClaimIntakeError):
    """A console form without the session's CSRF token."""

    code = "csrf_failed"
    http_status = 403


class LoginRequiredError(ClaimIntakeError):
    """A console page asked for without a staff session."""

    code = "login_required"
    http_status = 401


class WebhookDeliveryError(ClaimIntakeError):
    """A webhook receiver that could not be reached or did not answer 2xx: tried again."""

    code = "webhook_delivery_failed"
    retryable = True
    http_status = 502

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BenefitRulesError(ConfigurationError):
    """A benefit rule file that cannot be used: the message names the file and the problem."""

    code = "invalid_benefit_rules"


class RosterFileError(ClaimIntakeError):
    """A file that is not a member roster (a required column is missing, or it cannot be read).
    Bad rows of a roster are no error: the import reports them and imports the good ones."""

    code = "invalid_roster"
    http_status = 422


class ForbiddenError(ClaimIntakeError):
    """A staff member whose role does not allow the action, or an organisation's API key (not a
    staff member's) asking for a staff action."""

    code = "forbidden"
    http_status = 403


class DutySeparationError(ForbiddenError):
    """The approver of a claim marking its payout paid, where the organisation has another
    approver who could."""

    code = "separation_of_duties"


class ClaimLockedError(InvalidTransitionError):
    """An approved, paid or rejected claim: nothing changes it but an explicit reversal."""

    code = "claim_locked"


class RateLimitedError(ClaimIntakeError):
    """Too many requests from one address or for one phone on the member's public pages."""

    code = "rate_limited"
    retryable = True
    http_status = 429
