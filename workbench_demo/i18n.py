"""An i18n service for the workbench that reads the block's own catalog, like the LMS does.

The LMS's XBlockI18nService loads ``<package>/translations/<lang>/LC_MESSAGES/text.mo``
for the active language; the workbench's own service only knows Django's
catalogs. This one behaves like the LMS's, so the demo and the tests show the
block in the learner's language from the catalogs shipped in the wheel.
"""

import gettext
import importlib.resources
from functools import lru_cache

from django.utils import translation


@lru_cache(maxsize=16)
def _catalog(locale):
    directory = importlib.resources.files("upstream_xblock") / "translations"
    return gettext.translation("text", localedir=str(directory), languages=[locale],
                               fallback=True)


class BlockI18nService:
    """Delegates to the gettext catalog of the active Django language (as the LMS's does)."""

    runtime = None  # set by the workbench when it loads the service

    @staticmethod
    def _translator():
        return _catalog(translation.to_locale(translation.get_language() or "en"))

    def __getattr__(self, name):
        return getattr(self._translator(), name)

    # Python 2 names some XBlock helpers (xblock.utils' Studio editor) still call.
    def ugettext(self, message):
        return self._translator().gettext(message)

    def ungettext(self, singular, plural, number):
        return self._translator().ngettext(singular, plural, number)
