"""The staff view: staff get the tools (in their language), listed mentors do not."""

from django.utils import translation

from tests.mentors.conftest import MENTOR, as_user, seed_records
from tests.staff.conftest import unawarded_learners


def test_staff_get_the_tools_and_mentors_do_not(harness, staff_block):
    seed_records(staff_block.scope_ids.usage_id, 4)
    staff = staff_block.runtime.render(staff_block, "student_view")
    assert "upx-bulk-form" in staff.content and "upx-select-page" in staff.content
    assert "upx-audit-table" in staff.content and scripts_define_staff_tools(staff)
    mentor = as_user(harness, staff_block, MENTOR)
    fragment = mentor.runtime.render(mentor, "student_view")
    assert "upx-table" in fragment.content and "upx-bulk-form" not in fragment.content
    assert not scripts_define_staff_tools(fragment)


def scripts_define_staff_tools(fragment):
    return any("UpstreamContributionStaffTools = function" in resource.data
               for resource in fragment.resources if resource.kind == "text")


def test_the_staff_tools_in_french(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learner = unawarded_learners(usage, 1)[0]
    with translation.override("fr"):
        fragment = staff_block.runtime.render(staff_block, "student_view")
        content = fragment.content
        body = harness.call(staff_block, "import_csv", {
            "csv": f"username,action,reason\n{learner},accept,\n", "dry_run": True})[1]
        harness.call(staff_block, "bulk", {"action": "accept", "learner_ids": [learner],
                                           "reason": "Vu"})
        row = harness.call(staff_block, "progress", {"filters": {"search": learner}})[1]
    assert "Agir sur de nombreux apprenants" in content and "Journal d'audit" in content
    catalog = next(r.data for r in fragment.resources if "var UpstreamXBlockI18N" in r.data)
    assert '"no change": "aucun changement"' in catalog  # a string of the page's script
    assert body["errors"][0]["message"] == "Donnez un motif pour cette action accept."
    checks = row["rows"][0]["contributions"][0]["checks"]
    assert checks[-1]["reason"] == "Accepté par l'équipe pédagogique : Vu"
