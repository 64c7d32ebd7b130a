"""The models and their migrations agree (a model change without a migration fails here)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "upstream_xblock", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
