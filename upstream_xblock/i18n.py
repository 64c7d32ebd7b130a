"""Marking and filling the product's messages; the block translates them where they are shown.

The layers below the block never translate: they keep an English message id (a
"template" with ``%(name)s`` placeholders) and its parameters, and the block
translates the id in the viewer's language through the runtime's ``i18n``
service (the catalogs are ``upstream_xblock/translations/<lang>/LC_MESSAGES``),
then fills in the parameters. ``gettext_noop`` marks such an id for the
catalogs' extraction without translating it.
"""


def gettext_noop(message):
    """Mark ``message`` for translation catalogs; it is translated where it is shown."""
    return message


def fill(template, params):
    """``template`` with its ``%(name)s`` placeholders filled from ``params`` (if any)."""
    return template % params if params else template


def translated(gettext, template, params=None):
    """``template`` translated by ``gettext`` (the viewer's language), then filled in."""
    return fill(gettext(template), params)
