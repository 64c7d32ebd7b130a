"""The block speaks the learner's language: the shipped French catalog, end to end."""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

import upstream_xblock

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


PACKAGE = Path(upstream_xblock.__file__).parent
TEMPLATES = PACKAGE.parent / "templates"
CATALOGS = sorted((PACKAGE / "translations").glob("*/LC_MESSAGES/text.po"))
# (ngettext and ngettext_noop mark a plural message: their first argument is its id.)
MARKERS = {"_", "gettext", "gettext_noop", "ugettext", "ngettext", "ngettext_noop"}
TRANS_TAG = re.compile(r'{%\s*trans\s+"([^"]+)"\s*%}')
BLOCKTRANS_TAG = re.compile(r"{%\s*blocktrans[^%]*%}(.*?){%\s*endblocktrans\s*%}", re.S)


def marked_strings():
    """Every literal the code marks for translation (what `scripts/i18n.sh extract` finds)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in MARKERS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str) and node.args[0].value):
                found.add(node.args[0].value)
    for path in TEMPLATES.glob("*.html"):
        template = path.read_text(encoding="utf-8")
        found.update(TRANS_TAG.findall(template))
        for body in BLOCKTRANS_TAG.findall(template):  # a plural's singular is its msgid
            found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s",
                             re.split(r"{%\s*plural\s*%}", body)[0]))
    return found


def test_there_is_a_catalog_to_check():
    assert [path.parts[-3] for path in CATALOGS] == ["fr"]


def assert_complete_and_compiled(catalog):
    """Every entry translated (each plural form too), placeholders kept, the .mo up to date."""
    po = polib.pofile(str(catalog))
    mo = polib.mofile(str(catalog.with_suffix(".mo")))
    assert po.percent_translated() == 100
    assert not [entry for entry in po if "fuzzy" in entry.flags or entry.obsolete]
    forms = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    for entry in po:
        translations = ([entry.msgstr_plural[n] for n in range(forms)] if entry.msgid_plural
                        else [entry.msgstr])
        assert all(translations), entry.msgid
        expected = set(PLACEHOLDER.findall(entry.msgid))  # placeholders survive translation
        assert all(set(PLACEHOLDER.findall(text)) == expected for text in translations), \
            entry.msgid
    assert {e.msgid: (e.msgid_plural, e.msgstr, e.msgstr_plural) for e in po} == \
        {e.msgid: (e.msgid_plural, e.msgstr, e.msgstr_plural) for e in mo if e.msgid}
    return po


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_catalog_is_complete_and_compiled(catalog):
    po = assert_complete_and_compiled(catalog)
    missing = sorted(marked_strings() - {entry.msgid for entry in po})
    assert not missing, f"not in {catalog}: {missing}"


def test_the_view_in_french(harness, world, verified_ada):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block()
    with translation.override("fr"):
        harness.call(block, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/1",
                                         "forge_username": "ada"})
        fragment = block.runtime.render(block, "student_view")
        content = fragment.content
        status, body = harness.call(block, "register", {
            "url": "https://github.com/openedx/xblock-sdk/issues/2"})
        checks = harness.call(block, "status")[1]["contributions"][0]["checks"]
    assert "Adresse de votre pull request, merge request ou change" in content
    assert "Vérifier maintenant" in content
    # The page's script gets the French JS catalog, in the block's namespace.
    catalog = next(r.data for r in fragment.resources if "var UpstreamXBlockI18N" in r.data)
    assert '"Withdraw": "Retirer"' in catalog
    assert status == 400 and body["error"]["message"].startswith("C'est un ticket")
    reasons = {c["id"]: c["reason"] for c in checks}
    assert reasons["accepted"] == "En attente de son acceptation par les mainteneurs."
    assert reasons["author"] == \
        "Vous en êtes l'auteur : ada est votre compte vérifié sur github.com."


def test_english_stays_english(harness):
    block = harness.block()
    with translation.override("en"):
        content = block.runtime.render(block, "student_view").content
    assert "Address of your pull request, merge request or change" in content


def test_default_instructions_and_name_follow_the_learner_language(harness):
    block = harness.block()
    with translation.override("fr"):
        content = block.runtime.render(block, "student_view").content
    assert "Contribuez à un projet de logiciel libre" in content
    assert "Contribute to a free software project" not in content
    written = harness.block('<upstream_contribution instructions="Ship it."/>')
    with translation.override("fr"):
        assert "Ship it." in written.runtime.render(written, "student_view").content
