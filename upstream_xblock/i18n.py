"""Marking and filling the product's messages; the block translates them where they are shown.

The layers below the block never translate: they keep an English message id (a
"template" with ``%(name)s`` placeholders) and its parameters, and the block
translates the id in the viewer's language through the runtime's ``i18n``
service (the catalogs are ``upstream_xblock/translations/<lang>/LC_MESSAGES``),
then fills in the parameters. ``gettext_noop`` marks such an id for the
catalogs' extraction without translating it; ``ngettext_noop`` marks a message
that names a count, whose form the count chooses (``scripts/i18n.sh extract``
tells xgettext about it).

The pages' scripts have their own catalog (``djangojs.po`` beside ``text.po``),
compiled into ``static/js/translations/<locale>/djangojs.js``: it defines the
namespace ``JS_NAMESPACE`` (the block's ``i18n_js_namespace``, as OEP-58 names it)
with ``gettext``, ``ngettext`` and ``interpolate``.
"""

import gettext as gettext_module
import importlib.resources
from functools import lru_cache

JS_NAMESPACE = "UpstreamXBlockI18N"


@lru_cache(maxsize=16)
def catalog(language):
    """The package's own server catalog for ``language`` (English where it has none).

    For what is translated outside a block's runtime (the identity views, the notices):
    the LMS's Django catalogs do not hold the block's strings.
    """
    directory = importlib.resources.files("upstream_xblock") / "translations"
    return gettext_module.translation("text", localedir=str(directory),
                                      languages=[(language or "en").replace("-", "_")],
                                      fallback=True)


def gettext_noop(message):
    """Mark ``message`` for translation catalogs; it is translated where it is shown."""
    return message


def ngettext_noop(singular, plural, count="count"):
    """Mark a message naming a count (the parameter ``count``) for the catalogs.

    The message stays a plain list ``[singular, plural, count]`` (it is stored as
    JSON in checks and errors); ``translated`` picks its form by that count.
    """
    return (singular, plural, count)


def _english_ngettext(singular, plural, number):
    return singular if number == 1 else plural


def fill(template, params):
    """``template`` with its ``%(name)s`` placeholders filled from ``params`` (if any)."""
    if isinstance(template, list | tuple):  # a plural message: the English form of its count
        singular, plural, count = template
        template = _english_ngettext(singular, plural, (params or {}).get(count))
    return template % params if params else template


def translated(gettext, template, params=None):
    """``template`` translated by ``gettext`` (the viewer's language), then filled in.

    A plural message goes through ``gettext.ngettext`` (what ``compat.gettext`` hands
    out has one), else English's rule."""
    if isinstance(template, list | tuple):
        singular, plural, count = template
        ngettext = getattr(gettext, "ngettext", _english_ngettext)
        return ngettext(singular, plural, (params or {}).get(count, 0)) % params
    return fill(gettext(template), params)
