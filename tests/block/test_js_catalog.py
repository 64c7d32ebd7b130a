"""The pages' scripts speak the viewer's language through the block's JS catalog (OEP-58).

Every string of every view module goes through gettext / ngettext of the catalog
compiled from ``djangojs.po``; the French catalog is complete, plural forms
included; the compiled catalog shipped in the wheel says what the .po says (run
in node); the LMS's catalog URL is used where the LMS has one, the shipped
catalog otherwise; no view sends a table of strings from the server any more.
"""

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.utils import translation

import upstream_xblock
from tests.block.test_i18n import assert_complete_and_compiled
from upstream_xblock import compat
from upstream_xblock.block import UpstreamContributionBlock
from upstream_xblock.block.resources import catalog_locales, shipped_catalog
from upstream_xblock.i18n import JS_NAMESPACE, fill, ngettext_noop, translated
from upstream_xblock.throttle import Throttled
from workbench_demo.i18n import BlockI18nService

PACKAGE = Path(upstream_xblock.__file__).parent
MODULES = sorted((PACKAGE.parent / "static" / "js").glob("*.js"))
JS_CATALOGS = sorted((PACKAGE / "translations").glob("*/LC_MESSAGES/djangojs.po"))
SHIPPED = PACKAGE.parent / "static" / "js" / "translations"
STRING = r'"((?:[^"\\]|\\.)*)"'
GETTEXT = re.compile(r"\bgettext\(\s*" + STRING + r"\s*\)")
NGETTEXT = re.compile(r"\bngettext\(\s*" + STRING + r",\s*" + STRING + r",")


def script_messages():
    """{msgid: msgid_plural or None} of every gettext / ngettext call in the view modules."""
    found = {}
    for module in MODULES:
        source = module.read_text(encoding="utf-8")
        for singular in GETTEXT.findall(source):
            found[json.loads(f'"{singular}"')] = None
        for singular, plural in NGETTEXT.findall(source):
            found[json.loads(f'"{singular}"')] = json.loads(f'"{plural}"')
    return found


def test_every_module_is_read_and_says_things():
    assert {m.name for m in MODULES} == {
        "common.js", "identity.js", "learner.js", "learner_render.js", "progress.js",
        "staff_tools.js", "studio_edit.js", "tables.js", "vouch.js", "workspace.js"}
    assert len(script_messages()) > 100


@pytest.mark.parametrize("catalog", JS_CATALOGS, ids=lambda path: path.parts[-3])
def test_the_js_catalog_is_complete_with_its_plural_forms(catalog):
    po = assert_complete_and_compiled(catalog)
    entries = {entry.msgid: entry for entry in po}
    for msgid, plural in script_messages().items():
        assert msgid in entries, f"not in {catalog}: {msgid}"
        assert entries[msgid].msgid_plural == (plural or ""), msgid
    assert entries["%(count)s learner matches. Page %(page)s of %(pages)s."].msgstr_plural == {
        0: "%(count)s apprenant correspond. Page %(page)s sur %(pages)s.",
        1: "%(count)s apprenants correspondent. Page %(page)s sur %(pages)s."}


def test_no_view_sends_strings_from_the_server():
    for module in MODULES:
        source = module.read_text(encoding="utf-8")
        assert "init.text" not in source and "text.network_error" not in source, module.name
        assert not re.search(r"\btext\.\w+\b(?!\s*\()", source.replace("elements.text", "")
                             .replace("note.text", "")), module.name
    for path in (PACKAGE / "block").glob("*.py"):
        functions = [node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(node, ast.FunctionDef)]
        assert not [name for name in functions if name.endswith("_strings")], path.name


def run_catalog(language, calls):
    """The shipped catalog of ``language`` run in node: what each call answers."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install Debian's npm (scripts/test.sh does, as root)")
    locale, script = shipped_catalog(language)
    program = script + f"\nconst i18n = this.{JS_NAMESPACE};\n" + (
        "console.log(JSON.stringify(" + json.dumps(calls) + ".map(c => c.length === 1 ? "
        "i18n.gettext(c[0]) : i18n.ngettext(c[0], c[1], c[2]))));")
    result = subprocess.run([node, "-e", program], capture_output=True, text=True, timeout=60,
                            check=True)
    return locale, json.loads(result.stdout)


def test_the_shipped_french_catalog_answers_what_the_po_says():
    po = polib.pofile(str(PACKAGE / "translations" / "fr" / "LC_MESSAGES" / "djangojs.po"))
    calls, expected = [], []
    for entry in po:
        if entry.msgid_plural:  # French: 0 and 1 take the first form, 2 and more the second
            for count, form in ((0, 0), (1, 0), (2, 1), (1000, 1)):
                calls.append([entry.msgid, entry.msgid_plural, count])
                expected.append(entry.msgstr_plural[form])
        else:
            calls.append([entry.msgid])
            expected.append(entry.msgstr)
    locale, answers = run_catalog("fr", calls)
    assert locale == "fr" and answers == expected


def test_english_has_its_own_plural_rule():
    calls = [["%(count)s learner matches. Page %(page)s of %(pages)s.",
              "%(count)s learners match. Page %(page)s of %(pages)s.", n] for n in (0, 1, 2)]
    locale, answers = run_catalog("en", calls + [["Withdraw"]])
    assert locale == "en"
    assert answers == ["%(count)s learners match. Page %(page)s of %(pages)s.",
                       "%(count)s learner matches. Page %(page)s of %(pages)s.",
                       "%(count)s learners match. Page %(page)s of %(pages)s.", "Withdraw"]


def test_a_language_finds_its_catalog_else_its_base_language_else_english():
    assert catalog_locales("fr-ca") == ["fr_CA", "fr", "en"]
    assert shipped_catalog("fr")[0] == "fr"
    assert shipped_catalog("fr-ca")[0] == "fr"
    assert shipped_catalog("de")[0] == "en"
    assert shipped_catalog(None)[0] == "en"


def test_the_block_names_its_namespace_as_oep58_asks():
    assert UpstreamContributionBlock.i18n_js_namespace == JS_NAMESPACE == "UpstreamXBlockI18N"
    assert UpstreamContributionBlock.get_i18n_js_namespace() == JS_NAMESPACE
    _locale, script = shipped_catalog("fr")
    assert f"var {JS_NAMESPACE} = {{" in script and f"global.{JS_NAMESPACE} = " in script


def scripts_of(fragment):
    return [r for r in fragment.resources if r.mimetype == "application/javascript"]


@pytest.mark.parametrize("view", ["learner", "staff", "studio_view"])
def test_each_view_loads_the_catalog_before_its_modules(harness, view):
    student = "staff" if view == "staff" else "student_1"
    block = harness.block(student=student)
    if view == "staff":
        block.runtime.service(block, "user").get_current_user().opt_attrs[
            "edx-platform.user_is_staff"] = True
    with translation.override("fr"):
        fragment = block.runtime.render(block, "studio_view" if view == "studio_view"
                                        else "student_view")
    scripts = scripts_of(fragment)
    assert f"var {JS_NAMESPACE}" in scripts[0].data
    assert '"Saved.": "Enregistr' in scripts[0].data
    assert "var UpstreamXBlockCommon" in scripts[1].data


def test_the_lms_catalog_url_replaces_the_shipped_catalog(harness, monkeypatch):
    """The LMS's XBlockI18nService.get_javascript_i18n_catalog_url(block) names the catalog
    its compile_xblock_translations built from Atlas's translations: the page loads it."""
    asked = []

    def catalog_url(service, block):  # noqa: ARG001  (the LMS service's signature)
        asked.append(block.scope_ids.usage_id)
        return "/static/js/xblock.v1-i18n/upstream_xblock/fr.js"

    monkeypatch.setattr(BlockI18nService, "get_javascript_i18n_catalog_url", catalog_url,
                        raising=False)
    block = harness.block()
    with translation.override("fr"):
        fragment = block.runtime.render(block, "student_view")
    ours = [r.data for r in fragment.resources
            if r.kind == "url" and not r.data.startswith("/static/workbench/")]
    assert ours == ["/static/js/xblock.v1-i18n/upstream_xblock/fr.js"]
    assert asked == [block.scope_ids.usage_id]
    assert not any(f"var {JS_NAMESPACE}" in r.data for r in scripts_of(fragment))


def test_server_side_counts_have_plural_forms(harness):
    message = ngettext_noop("%(n)s day", "%(n)s days", "n")
    assert [fill(message, {"n": n}) for n in (1, 2)] == ["1 day", "2 days"]
    assert Throttled(1).args[0] == "Too many requests. Try again in 1 second."
    assert Throttled(5).args[0] == "Too many requests. Try again in 5 seconds."
    block = harness.block()
    with translation.override("fr"):
        translate = compat.gettext(block)
        assert translated(translate, Throttled.template, {"seconds": 1}) == \
            "Trop de demandes. Réessayez dans 1 seconde."
        assert translated(translate, Throttled.template, {"seconds": 3}) == \
            "Trop de demandes. Réessayez dans 3 secondes."
        summary = harness.call(block, "status")[1]["summary"]
    assert summary == "0 sur 1 acceptée"
