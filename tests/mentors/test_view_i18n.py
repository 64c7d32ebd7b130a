"""The mentors' table speaks the mentor's language (the shipped French catalog)."""

from django.utils import translation

from tests.mentors.conftest import MENTORED_XML, STAFF, seed_records


def test_the_table_in_french(harness):
    block = harness.block(MENTORED_XML, student=STAFF)
    seed_records(block.scope_ids.usage_id, 4)
    with translation.override("fr"):
        fragment = block.runtime.render(block, "student_view")
        content = fragment.content
        status, body = harness.call(block, "progress", {"filters": {"colour": "red"}})
        rows = harness.call(block, "progress", {"sort": "username"})[1]["rows"]
    assert "Filtrer les apprenants" in content and "Dernière activité" in content
    catalog = next(r.data for r in fragment.resources if "var UpstreamXBlockI18N" in r.data)
    assert '"Annotate %(username)s": "Annoter %(username)s"' in catalog  # the page's script
    assert status == 400 and body["error"]["message"] == "Filtres inconnus : colour."
    assert rows[0]["verdict_label"] == "Terminé"
