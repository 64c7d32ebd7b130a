"""In the LMS, learner ids are auth_user ids: the table sorts and searches by the users' names
in the same query (a correlated subquery), on the real auth_user table of the test database."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from upstream_xblock import compat
from upstream_xblock.models import TrackedContribution
from upstream_xblock.staff.progress import PageRequest, parse_filters, progress_page

USAGE = "block-v1:Org+Course+Run+type@upstream_contribution+block@one"


def test_usernames_come_from_auth_user_in_one_query(db):
    now = timezone.now()
    names = ["zoe", "adam", "maria_l", "bob"]
    users = [get_user_model().objects.create(username=name) for name in names]
    TrackedContribution.objects.bulk_create([TrackedContribution(
        usage_key=USAGE, learner_id=str(user.pk), url=f"https://github.com/a/b/pull/{user.pk}",
        kind="github", host="github.com", project="a/b", number=user.pk, verdict="pending",
        registered_at=now) for user in users])
    expression = compat.auth_username_expression()

    def page(sort, **filters):
        request = PageRequest(page_size=10, sort=sort, filters=parse_filters(filters))
        return [row["username"] for row in progress_page(USAGE, request, expression, now).rows]

    assert page("username") == sorted(names)
    assert page("-username") == sorted(names, reverse=True)
    assert page("username", search="AR") == ["maria_l"]
    with CaptureQueriesContext(connection) as queries:
        page("username", search="a")
    # count, page, contributions, awards (the summary was counted by the first page: kept
    # until a write to the block)
    assert len(queries.captured_queries) == 4
