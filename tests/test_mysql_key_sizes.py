"""Every index and unique key of the app fits MySQL's limit (the LMS's database).

InnoDB with utf8mb4 refuses a key wider than 3,072 bytes (4 bytes a character):
MariaDB quietly builds a hash index instead, so only this arithmetic tells.
"""

from django.apps import apps
from django.db import models

MAX_KEY_BYTES = 3072
BYTES_PER_CHAR = 4  # utf8mb4


def field_bytes(field):
    if isinstance(field, models.CharField):
        return field.max_length * BYTES_PER_CHAR
    if isinstance(field, models.ForeignKey):
        return 8
    return 8  # integers, dates, booleans


def keys_of(model):
    meta = model._meta  # pylint: disable=protected-access
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            yield constraint.name, constraint.fields
    for index in meta.indexes:
        yield index.name, [name.lstrip("-") for name in index.fields]
    for fields in meta.unique_together:
        yield "unique_together", fields
    for field in meta.local_fields:
        if (field.db_index or field.unique) and not field.primary_key:
            yield field.name, [field.name]


def test_every_key_fits_mysql():
    too_wide = []
    for model in apps.get_app_config("upstream_xblock").get_models():
        for name, fields in keys_of(model):
            size = sum(field_bytes(model._meta.get_field(f)) for f in fields)  # noqa: SLF001
            if size > MAX_KEY_BYTES:
                too_wide.append((model.__name__, name, size))
    assert too_wide == []
