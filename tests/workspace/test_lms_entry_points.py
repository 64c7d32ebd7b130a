"""What the LMS reads of the package: its URLs (edx-django-utils' plugin URLs, run for real)
and the course tab (its ``openedx.course_tab`` entry point, loaded by edx-django-utils'
PluginManager as openedx-platform's CourseTabPluginManager does).

openedx-platform itself is not installable here: ``xmodule.tabs.CourseTab`` is stood in
for by a class with the contract read in openedx-platform's xmodule/tabs.py (a tab is
built from a dict; ``name`` is the dict's or the class's ``title``; ``link_func`` is the
dict's, else a reverse of ``view_name`` with the course id), and the LMS's dynamic tabs
are listed as lms/djangoapps/courseware/tabs.py's ``_get_dynamic_tabs`` does.
"""

import sys
import types

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLResolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import translation
from edx_django_utils.plugins import PluginManager, plugin_urls
from opaque_keys.edx.keys import CourseKey

from tests.workspace.conftest import COURSE, MENTOR, seed_course


class CourseTabPluginManager(PluginManager):
    """openedx-platform's openedx/core/lib/course_tabs.py: the namespace the LMS reads."""

    NAMESPACE = "openedx.course_tab"


class StandInCourseTab:
    """xmodule.tabs.CourseTab's contract (the parts a plugin tab relies on)."""

    title = None
    view_name = None
    is_dynamic = False
    priority = None

    def __init__(self, tab_dict):
        self.name = tab_dict.get("name", self.title)
        self.tab_id = tab_dict.get("tab_id", getattr(self, "tab_id", self.type))
        self.tab_dict = tab_dict

    @property
    def link_func(self):
        return self.tab_dict.get("link_func", lambda course, reverse_func: reverse_func(
            self.view_name, args=[str(course.id)]))


@pytest.fixture
def xmodule_tabs(monkeypatch):
    package, tabs = types.ModuleType("xmodule"), types.ModuleType("xmodule.tabs")
    tabs.CourseTab = StandInCourseTab
    package.tabs = tabs
    monkeypatch.setitem(sys.modules, "xmodule", package)
    monkeypatch.setitem(sys.modules, "xmodule.tabs", tabs)
    CourseTabPluginManager.get_available_plugins.cache_clear()
    yield tabs
    CourseTabPluginManager.get_available_plugins.cache_clear()


def dynamic_tabs(course, user):
    """lms/djangoapps/courseware/tabs.py's _get_dynamic_tabs."""
    tabs = []
    for tab_type in CourseTabPluginManager.get_available_plugins().values():
        if getattr(tab_type, "is_dynamic", False):
            tab = tab_type({})
            if tab.is_enabled(course, user=user):
                tabs.append(tab)
    return tabs


def test_the_lms_finds_the_apps_urls_through_the_plugin_configuration(db):
    found = {path: config for path, config in plugin_urls._iter_plugins("lms.djangoapp")}
    assert "upstream_xblock.urls" in found  # the module exists (it was a missing module)
    resolver = URLResolver(RegexPattern(r"^/"), [plugin_urls._get_url(
        "upstream_xblock.urls", found["upstream_xblock.urls"])])
    page = resolver.resolve(f"/upstream-xblock/course/{COURSE}/")
    assert page.view_name == "upstream_xblock:workspace:page"
    assert page.kwargs == {"course_id": COURSE}
    callback = resolver.resolve("/upstream-xblock/identity/oauth/callback/")
    assert callback.view_name == "upstream_xblock:identity:oauth_callback"


def test_the_course_tab_is_offered_to_staff_and_mentors_only(course, xmodule_tabs, settings):
    seed_course(4)
    users = {name: get_user_model().objects.create(username=name)
             for name in ("sam", MENTOR, "ada")}
    settings.UPSTREAM_XBLOCK_DEMO_STAFF = [str(users["sam"].pk)]  # the workbench's staff
    plugin = CourseTabPluginManager.get_plugin("upstream_contributions")
    assert issubclass(plugin, xmodule_tabs.CourseTab) and plugin.type == "upstream_contributions"
    the_course = types.SimpleNamespace(id=CourseKey.from_string(COURSE))
    offered = {name: [tab.type for tab in dynamic_tabs(the_course, user)]
               for name, user in users.items()}
    assert offered == {"sam": ["upstream_contributions"], MENTOR: ["upstream_contributions"],
                       "ada": []}
    tab = plugin({})
    assert tab.link_func(the_course, reverse) == f"/upstream-xblock/course/{COURSE}/"
    assert tab.name == "Upstream contributions"
    with translation.override("fr"):
        assert plugin({}).name != "Upstream contributions"
    assert not tab.is_enabled(the_course, user=None)


def test_no_tab_in_a_course_without_an_upstream_activity(db, xmodule_tabs, settings):
    staff = get_user_model().objects.create(username="sam")
    settings.UPSTREAM_XBLOCK_DEMO_STAFF = [str(staff.pk)]
    elsewhere = types.SimpleNamespace(id=CourseKey.from_string("course-v1:No+Upstream+Here"))
    assert dynamic_tabs(elsewhere, staff) == []
