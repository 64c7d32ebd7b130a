"""The catalogs' two steps that need Django (scripts/i18n.sh runs them; GNU gettext needed).

    python scripts/i18n_catalogs.py extract LANG   # refresh LANG's text.po and djangojs.po
    python scripts/i18n_catalogs.py compile-js     # djangojs.mo -> static/js/translations

``extract`` runs Django's makemessages twice: the ``django`` domain (Python and
templates; xgettext also learns the product's plural marker ``ngettext_noop``)
into ``text.po``, the ``djangojs`` domain (the views' modules in static/js) into
``djangojs.po``. ``compile-js`` writes, per language with a ``djangojs.mo`` and
for English, Django's JavaScript catalog wrapped in the block's namespace by
django-statici18n's ``compilejsi18n`` (what xblock-drag-and-drop-v2 runs, and the
LMS's ``compile_xblock_translations`` for the catalogs Atlas pulls):
``static/js/translations/<language>/djangojs.js``, shipped in the wheel.
"""

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "upstream_xblock" / "translations"
JS_OUTPUT = ROOT / "static" / "js" / "translations"
# Never scanned: what is not the shipped package, and the compiled catalogs themselves.
sys.path.insert(0, str(ROOT))  # the package and the demo's settings, from the checkout
IGNORED = ["tests", ".venv", ".tox", "forge_simulator", "workbench_demo", "bench", "build",
           "var", "scripts", "docs", "static/js/translations"]


def extract(language):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench_demo.settings")
    import django
    django.setup()
    from django.core.management import call_command
    from django.core.management.commands import makemessages

    class MakeMessages(makemessages.Command):
        xgettext_options = [*makemessages.Command.xgettext_options,
                            "--keyword=ngettext_noop:1,2"]

    work = ROOT / "locale" / language / "LC_MESSAGES"
    work.mkdir(parents=True, exist_ok=True)
    try:
        for domain, catalog, extensions, ignored in (
                ("django", "text.po", ["py", "html"], [*IGNORED, "static"]),
                ("djangojs", "djangojs.po", ["js"], IGNORED)):
            target = TRANSLATIONS / language / "LC_MESSAGES" / catalog
            if target.exists():
                shutil.copy(target, work / f"{domain}.po")
            call_command(MakeMessages(), locale=[language], domain=domain,
                         extensions=extensions, no_location=True, no_wrap=True,
                         ignore_patterns=ignored, verbosity=0)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(work / f"{domain}.po", target)
    finally:
        shutil.rmtree(ROOT / "locale")


def compile_js():
    from django.conf import settings
    settings.configure(USE_I18N=True, LANGUAGE_CODE="en", LOCALE_PATHS=[str(TRANSLATIONS)],
                       INSTALLED_APPS=[], STATIC_ROOT=None)
    import django
    django.setup()
    from django.core.management import call_command
    from statici18n.management.commands.compilejsi18n import Command as CompileJSI18N

    from upstream_xblock.i18n import JS_NAMESPACE

    languages = ["en"] + sorted(path.parent.parent.name for path in
                                TRANSLATIONS.glob("*/LC_MESSAGES/djangojs.mo"))
    for language in languages:
        call_command(CompileJSI18N(), locale=language, domain="djangojs",
                     outputdir=str(JS_OUTPUT), namespace=JS_NAMESPACE, verbosity=0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["extract"] and len(sys.argv) == 3:
        extract(sys.argv[2])
    elif sys.argv[1:] == ["compile-js"]:
        compile_js()
    else:
        sys.exit(__doc__)
