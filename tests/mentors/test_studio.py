"""The block's ``mentors`` list in Studio and OLX: validated user names, exported, clamped at
use."""

import json

import pytest
from lxml import etree

from tests.block.test_views import _validate
from tests.mentors.conftest import STAFF, as_user
from upstream_xblock.block.handlers import listed_mentors


def test_mentors_round_trip_through_olx(harness):
    block = harness.block('<upstream_contribution mentors=\'["mia", "noah.b"]\'/>')
    node = etree.Element("root")
    block.add_xml_to_node(node)
    assert json.loads(node.get("mentors")) == ["mia", "noah.b"]
    assert harness.block(etree.tostring(node, encoding="unicode")).mentors == ["mia", "noah.b"]


@pytest.mark.parametrize("mentors,ok", [
    ([], True), (["mia", "noah.b", "a@b+c-d_e"], True), (["two words"], False),
    (["<script>"], False), ("mia", False), ([5], False), (["m"] * 201, False),
])
def test_studio_validates_mentor_names(harness, mentors, ok):
    messages = _validate(harness.block(), mentors=mentors)
    assert (messages == []) is ok, messages


def test_an_imported_bad_list_is_clamped_where_it_is_used(harness):
    block = harness.block('<upstream_contribution mentors=\'["mia", "two words", 7]\'/>')
    assert listed_mentors(block) == {"mia"}
    html = as_user(harness, block, "two words").render("student_view").content
    assert "upx-table" not in html


def test_studio_preview_shows_staff_the_progress_table_without_grading_tools(harness):
    block = as_user(harness, harness.block(), STAFF)
    block.runtime.is_author_mode = True  # what Studio's preview runtime sets
    html = block.runtime.render(block, "author_view").content
    assert "upstream-author-settings" in html and "upx-table" in html
    assert "upx-bulk" not in html  # bulk actions change grades: not from a draft's preview
