"""The one shape of a refusal, whichever layer refuses: a code, a message id, a status.

Every error the product answers with derives from ``UpstreamError``: a stable
``code`` (a contract of the JSON handlers and the command line), an English
message id (``template``, ``%(name)s`` placeholders filled from ``params``;
never a token or a forge's raw answer), an HTTP ``status``, and ``extra`` keys
that go into the JSON as they are. The layers raise their own subclasses
(``ForgeError``, ``IdentityError``, ``VouchError``...) and know nothing of the
block; the block's handlers answer any of them the same way, in the viewer's
language (``block.handlers``).
"""

from .i18n import fill, translated


class UpstreamError(Exception):
    """A request refused: ``{"error": {"code", "message", **extra}}`` with ``status``."""

    def __init__(self, code, template, status=400, params=None, **extra):
        self.code, self.template, self.status = code, template, status
        self.params, self.extra = dict(params or {}), extra
        super().__init__(self.message)

    @property
    def message(self):
        """The English message, its placeholders filled."""
        return fill(self.template, self.params)

    def as_dict(self, gettext=lambda text: text):
        """The error's JSON, its message translated by ``gettext``."""
        return {"code": self.code, "message": translated(gettext, self.template, self.params),
                **self.extra}
