"""Errors of the identity layer, with stable codes for the block's JSON answers."""

from ..errors import LayerError


class IdentityError(LayerError):
    """A verification refused, with a stable ``code`` and a translatable message id.

    ``template`` is an English message id with ``%(name)s`` placeholders filled
    from ``params``. Messages never carry a token or a forge's raw answer.
    """
