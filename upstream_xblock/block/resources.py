"""The block's templates and static files, and rendering them.

In the wheel they are the packages ``upstream_xblock.templates`` and
``upstream_xblock.static`` (setup.py maps the repository's top-level
``templates/`` and ``static/`` there). In a source checkout (the tests, the
demo, an editable install) they are those top-level folders beside the package.

The pages' scripts' translations (OEP-58): which compiled JS catalog a view's page loads.

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

import hashlib
import importlib.resources
from functools import lru_cache
from pathlib import Path

from django.template import Context, Engine, Origin, TemplateDoesNotExist
from django.template.loaders.base import Loader
from django.utils import translation

from .. import compat

_CHECKOUT = Path(__file__).resolve().parents[2]


def resource_root(kind):
    """Traversable for 'templates' or 'static'."""
    try:
        return importlib.resources.files(f"upstream_xblock.{kind}")
    except ModuleNotFoundError:
        return _CHECKOUT / kind


@lru_cache(maxsize=32)
def load_text(kind, name):
    # A plain str: {% include %} names its template with a SafeString, which Python 3.11's
    # pathlib cannot take (it interns the path's parts).
    return resource_root(kind).joinpath(str.__str__(name)).read_text(encoding="utf-8")


class ResourceLoader(Loader):
    """Templates read as resources, so that {% include %} finds the pages' shared parts
    (filters.html, staff_tools.html) wherever the package is installed."""

    def get_template_sources(self, template_name):
        yield Origin(name=template_name, template_name=template_name, loader=self)

    def get_contents(self, origin):
        try:
            return load_text("templates", origin.name)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise TemplateDoesNotExist(origin) from None


@lru_cache(maxsize=1)
def _engine():
    # xblock.utils' i18n tags translate through the runtime's i18n service.
    return Engine(loaders=["upstream_xblock.block.resources.ResourceLoader"],
                  libraries={"i18n": "xblock.utils.templatetags.i18n"}, autoescape=True)


def page_uid(block):
    """The block's id in the page's DOM (the same in each of its views)."""
    return hashlib.sha1(compat.usage_key(block).encode()).hexdigest()[:12]


def render_template(name, context, i18n_service=None):
    template = _engine().from_string(load_text("templates", name))
    return template.render(Context({**context, "_i18n_service": i18n_service}))


def workbench_scenarios():
    return [
        ("Upstream contribution: one accepted contribution required",
         """<upstream_contribution display_name="Your first upstream contribution"/>"""),
        ("Upstream contribution: two accepted contributions required",
         """<upstream_contribution display_name="Two accepted contributions" required_count="2"
                weight="2"/>"""),
        ("Upstream contribution: two blocks in one unit",
         """<vertical_demo>
              <upstream_contribution display_name="A GitHub pull request"
                  accepted_hosts='["github.com"]'/>
              <upstream_contribution display_name="A GitLab merge request or Gerrit change"
                  accepted_hosts='["gitlab.com", "review.opendev.org"]'/>
            </vertical_demo>"""),
        ("Upstream contribution: with a mentor (?student=mia) and course staff (?student=staff)",
         """<upstream_contribution display_name="Mentored upstream contribution"
                mentors='["mia"]'/>"""),
    ]


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
