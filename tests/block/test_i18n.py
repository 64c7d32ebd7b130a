"""The block speaks the learner's language: the shipped French catalog, end to end."""

import re
from pathlib import Path

import polib
from django.utils import translation

import upstream_xblock

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
CATALOG = Path(upstream_xblock.__file__).parent / "translations" / "fr" / "LC_MESSAGES"


def test_french_catalog_is_complete_and_compiled():
    po = polib.pofile(str(CATALOG / "text.po"))
    mo = polib.mofile(str(CATALOG / "text.mo"))
    assert po.percent_translated() == 100
    assert not [entry for entry in po if "fuzzy" in entry.flags or entry.obsolete]
    assert {e.msgid: e.msgstr for e in po} == {e.msgid: e.msgstr for e in mo if e.msgid}
    for entry in po:  # placeholders survive translation
        assert set(PLACEHOLDER.findall(entry.msgid)) == set(PLACEHOLDER.findall(entry.msgstr)), \
            entry.msgid


def test_the_view_in_french(harness, world):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block()
    with translation.override("fr"):
        harness.call(block, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/1",
                                         "forge_username": "ada"})
        content = block.runtime.render(block, "student_view").content
        status, body = harness.call(block, "register", {
            "url": "https://github.com/openedx/xblock-sdk/issues/2"})
        checks = harness.call(block, "status")[1]["contributions"][0]["checks"]
    assert "Adresse de votre pull request, merge request ou change" in content
    assert "Vérifier maintenant" in content
    assert "Retirer" in content  # a string of the page's script, translated on the server
    assert status == 400 and body["error"]["message"].startswith("C'est un ticket")
    reasons = {c["id"]: c["reason"] for c in checks}
    assert reasons["accepted"] == "En attente de son acceptation par les mainteneurs."
    assert reasons["author"] == "Vous en êtes l'auteur."


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
