"""Every key of the app fits MySQL 8 (the LMS's database) after each of its migrations.

A migration that creates a key wider than 3,072 bytes stops ``migrate`` on
MySQL even when a later migration would shrink it, so every state counts, not
only the final models. The arithmetic is in ``tests/mysql_key_widths.py``; the
tests below also show that it reports such a key: the first development
migrations' (a 4,040-byte unique key, shrunk two migrations later).
"""

import pytest
from django.apps import apps
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from tests.mysql_key_widths import (
    MAX_KEY_BYTES,
    UnsizedColumn,
    column_bytes,
    findings_in_migrations,
    findings_in_state,
    migration_names,
    mysql8_connection,
    widths_in_state,
)

APP = "upstream_xblock"


@pytest.fixture(scope="module")
def mysql():
    return mysql8_connection()


def test_every_migration_state_fits_mysql(mysql):
    findings = findings_in_migrations(APP, connection=mysql)
    assert not findings, "\n".join(map(str, findings))


def test_the_walk_sees_every_key_the_models_declare(mysql):
    """The last state holds every named key of the models, each sized: the walk is not empty."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    last = migration_names(loader, APP)[-1]
    state = loader.project_state((APP, last), at_end=True)
    sized = {key: width for _model, key, width, _ in widths_in_state(state, APP, mysql)}
    declared = set()
    for model in apps.get_app_config(APP).get_models():
        meta = model._meta  # noqa: SLF001
        declared |= {constraint.name for constraint in meta.constraints}
        declared |= {index.name for index in meta.indexes}
    assert declared and declared <= set(sized)
    assert all(0 < sized[name] <= MAX_KEY_BYTES for name in declared)


@pytest.mark.parametrize("field, width", [
    (models.CharField(max_length=255), 1020),
    (models.SlugField(max_length=50), 200),
    (models.BigAutoField(primary_key=True), 8),
    (models.PositiveIntegerField(), 4),
    (models.PositiveSmallIntegerField(), 2),
    (models.BooleanField(), 1),
    (models.DateField(), 3),
    (models.DateTimeField(), 8),  # datetime(6): 5 bytes and 3 for the microseconds
    (models.TimeField(), 6),
    (models.FloatField(), 8),
    (models.DecimalField(max_digits=10, decimal_places=2), 5),
    (models.UUIDField(), 128),  # char(32) on MySQL
    (models.GenericIPAddressField(), 156),
])
def test_column_widths_follow_the_mysql_type_django_writes(mysql, field, width):
    assert column_bytes(field.db_type(mysql)) == width


@pytest.mark.parametrize("field", [models.TextField(), models.JSONField(), models.BinaryField()])
def test_text_json_and_blob_columns_are_no_key_columns(mysql, field):
    with pytest.raises(UnsizedColumn):
        column_bytes(field.db_type(mysql))


def state_of(*operations):
    state = ProjectState()
    for operation in operations:
        operation.state_forwards(APP, state)
    return state


def old_0001_contribution(**meta):
    """The first development migration's contribution table (key: 255 + 255 + 500 characters)."""
    return migrations.CreateModel("TrackedContribution", [
        ("id", models.BigAutoField(primary_key=True)),
        ("usage_key", models.CharField(max_length=255, db_index=True)),
        ("learner_id", models.CharField(max_length=255, db_index=True)),
        ("url", models.CharField(max_length=500)),
        ("snapshot", models.JSONField(null=True)),
        ("number", models.PositiveIntegerField()),
        ("next_check_at", models.DateTimeField(null=True, db_index=True)),
    ], options=meta)


def test_a_4040_byte_unique_key_is_reported(mysql):
    state = state_of(old_0001_contribution(constraints=[models.UniqueConstraint(
        fields=("usage_key", "learner_id", "url"), name="upstream_unique_contribution")]))
    findings = findings_in_state("0001_initial", state, APP, mysql)
    assert [(f.migration, f.model, f.key, f.width) for f in findings] == [
        ("0001_initial", "TrackedContribution", "upstream_unique_contribution", 4040)]
    assert "is 4,040 bytes" in str(findings[0])


def test_unique_together_index_and_field_keys_are_sized(mysql):
    state = state_of(old_0001_contribution(
        unique_together={("learner_id", "url", "number")},
        indexes=[models.Index(fields=["url", "-next_check_at", "learner_id"], name="wide_index")]))
    widths = {key: width for _m, key, width, _p in widths_in_state(state, APP, mysql)}
    assert widths["unique_together('learner_id', 'url', 'number')"] == (255 + 500) * 4 + 4
    assert widths["wide_index"] == (500 + 255) * 4 + 8
    assert widths["usage_key (db_index=True)"] == 1020
    assert widths["id (primary key)"] == 8
    assert findings_in_state("x", state, APP, mysql) == []


def test_the_boundary_is_3072_bytes_and_a_json_key_fails(mysql):
    state = state_of(migrations.CreateModel("Edge", [
        ("id", models.BigAutoField(primary_key=True)),
        ("fits", models.CharField(max_length=768, unique=True)),
        ("over", models.CharField(max_length=769, db_index=True)),
        ("data", models.JSONField(db_index=True)),
        ("parent", models.ForeignKey("upstream_xblock.Edge", models.CASCADE, db_index=False)),
    ]))
    findings = {f.key: f for f in findings_in_state("0002_edge", state, APP, mysql)}
    assert set(findings) == {"over (db_index=True)", "data (db_index=True)"}
    assert findings["over (db_index=True)"].width == 3076
    assert "JSON column cannot be a key column" in findings["data (db_index=True)"].problem
    widths = {key: width for _m, key, width, _p in widths_in_state(state, APP, mysql)}
    assert widths["fits (unique=True)"] == 3072
    assert widths["parent (foreign key)"] == 8  # InnoDB indexes it all the same


SYNTHETIC_0001 = '''
from django.db import migrations, models

class Migration(migrations.Migration):
    initial = True
    operations = [migrations.CreateModel("TrackedContribution", [
        ("id", models.BigAutoField(primary_key=True)),
        ("usage_key", models.CharField(max_length=255)),
        ("learner_id", models.CharField(max_length=255)),
        ("url", models.CharField(max_length=500)),
    ], options={"constraints": [models.UniqueConstraint(
        fields=("usage_key", "learner_id", "url"), name="upstream_unique_contribution")]})]
'''
SYNTHETIC_0002 = '''
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("upstream_xblock", "0001_initial")]
    operations = [
        migrations.AddField("trackedcontribution", "url_hash",
                            models.CharField(max_length=64, default="")),
        migrations.RemoveConstraint("trackedcontribution", "upstream_unique_contribution"),
        migrations.AddConstraint("trackedcontribution", models.UniqueConstraint(
            fields=("usage_key", "learner_id", "url_hash"),
            name="upstream_unique_contribution_key")),
        migrations.AlterField("trackedcontribution", "url", models.CharField(max_length=2048)),
    ]
'''


def test_a_wide_key_a_later_migration_shrinks_is_still_reported(mysql, settings, tmp_path,
                                                               monkeypatch):
    """The old history's shape: the final state fits, the first does not (migrate stops there)."""
    package = tmp_path / "synthetic_wide_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "0001_initial.py").write_text(SYNTHETIC_0001)
    (package / "0002_url_hash.py").write_text(SYNTHETIC_0002)
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.MIGRATION_MODULES = {APP: "synthetic_wide_migrations"}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert migration_names(loader, APP) == ["0001_initial", "0002_url_hash"]
    findings = findings_in_migrations(APP, loader, mysql)
    assert [(f.migration, f.key, f.width) for f in findings] == [
        ("0001_initial", "upstream_unique_contribution", 4040)]
