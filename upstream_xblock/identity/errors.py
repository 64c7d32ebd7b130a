"""Errors of the identity layer, with stable codes for the block's JSON answers."""


class IdentityError(Exception):
    """A verification refused, with a stable ``code`` and a translatable message id.

    ``template`` is an English message id with ``%(name)s`` placeholders filled
    from ``params``. Messages never carry a token or a forge's raw answer.
    """

    def __init__(self, code, template, status=400, params=None):
        self.code, self.template, self.status = code, template, status
        self.params = dict(params or {})
        super().__init__(template % self.params if self.params else template)
