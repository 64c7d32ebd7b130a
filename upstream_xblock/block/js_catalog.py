"""The pages' scripts' translations (OEP-58): which compiled JS catalog a view's page loads.

The block declares ``i18n_js_namespace`` (``i18n.JS_NAMESPACE``). A compiled
catalog is Django's JavaScript catalog of ``djangojs.po`` wrapped in that
namespace: it defines ``UpstreamXBlockI18N.gettext``, ``.ngettext`` and
``.interpolate``, which ``static/js/common.js`` hands to every view module.

- The LMS (Redwood and later) compiles the catalogs of the translations Atlas
  pulled (``conf/plugins-locale/xblock.v1/upstream_xblock/<locale>/LC_MESSAGES/
  djangojs.po``) with ``compile_xblock_translations``, and its i18n service's
  ``get_javascript_i18n_catalog_url(block)`` names the one of the active
  language: the page loads that URL.
- Otherwise (the site has no Atlas catalog of this language, the workbench, an
  older runtime) the catalog shipped in the wheel is added to the page:
  ``static/js/translations/<locale>/djangojs.js`` (``make compile_translations``)
  of the active language's locale (``fr_CA``), else of its language (``fr``),
  else English's (which only carries English's plural rule).
"""

from django.utils import translation

from .resources import load_text, resource_root

CATALOGS = "js/translations"


def catalog_locales(language):
    """The locales whose shipped catalog may serve ``language``, best first."""
    locale = translation.to_locale(language or "en")
    candidates = [locale, locale.split("_")[0], "en"]
    return [name for index, name in enumerate(candidates) if name not in candidates[:index]]


def shipped_catalog(language):
    """(locale, the catalog's script) shipped in the wheel for ``language``."""
    root = resource_root("static").joinpath(CATALOGS)
    for locale in catalog_locales(language):
        if root.joinpath(locale, "djangojs.js").is_file():
            return locale, load_text("static", f"{CATALOGS}/{locale}/djangojs.js")
    return None, ""


def lms_catalog_url(block):
    """The URL the runtime's i18n service gives for the block's catalog (None if none)."""
    service = block.runtime.service(block, "i18n")
    url_of = getattr(service, "get_javascript_i18n_catalog_url", None)
    return url_of(block) if callable(url_of) else None


def add_js_catalog(block, fragment):
    """Add the active language's catalog to ``fragment``, before the view's own modules."""
    url = lms_catalog_url(block)
    if url:
        fragment.add_javascript_url(url)
        return
    _locale, script = shipped_catalog(translation.get_language())
    if script:
        fragment.add_javascript(script)
