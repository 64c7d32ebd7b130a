"""Typed errors of the forge layer.

Every error carries a stable ``code`` (the contract of the command line and of
the block's JSON handlers), a ``reason`` that tells apart the cases sharing a
code, and an English ``message`` built from a constant ``template`` (a
translation message id with ``%(name)s`` placeholders) and its ``params``, so
the block can show it in the learner's language. Messages never contain a
token or anything the operator keeps secret: they are shown to learners and
written to logs.
"""


class ForgeError(Exception):
    """Base class: something kept us from reading a contribution."""

    code = "forge_error"

    def __init__(self, template, reason=None, params=None):
        self.template = template
        self.params = dict(params or {})
        self.message = template % self.params if self.params else template
        super().__init__(self.message)
        self.reason = reason or self.code

    def as_dict(self):
        return {"code": self.code, "reason": self.reason, "message": self.message}


class InvalidUrl(ForgeError):
    """The text is not the address of a pull/merge request or change."""

    code = "invalid_url"


class UnsupportedHost(ForgeError):
    """The address is on a host this installation does not contact."""

    code = "unsupported_host"


class NotFound(ForgeError):
    """The forge says the contribution does not exist (or is private)."""

    code = "not_found"


class ForgeUnavailable(ForgeError):
    """The forge could not be reached or answered something unusable."""

    code = "forge_unavailable"


class RateLimited(ForgeError):
    """The forge refuses more requests until ``reset_at`` (a UTC datetime or None)."""

    code = "rate_limited"

    def __init__(self, template, reset_at=None, reason=None, params=None):
        super().__init__(template, reason, params)
        self.reset_at = reset_at

    def as_dict(self):
        data = super().as_dict()
        data["reset_at"] = self.reset_at.isoformat() if self.reset_at else None
        return data


class AuthFailed(ForgeError):
    """The forge rejected the configured credentials."""

    code = "auth_failed"


class ConfigurationError(ValueError):
    """The operator's forge configuration is malformed (never shows a token)."""
