"""How wide each key of an app is on MySQL 8 (InnoDB, utf8mb4), in every migration state.

InnoDB refuses a key (index, unique or primary key, all its columns together)
wider than 3,072 bytes with error 1071, and a utf8mb4 character counts 4 bytes.
MariaDB, where the other tests run, quietly builds such a unique key as a hash
instead, so only this arithmetic tells. Each column's type is the one Django's
own MySQL backend writes for the field; its width is MySQL's storage size for
that type ("Data Type Storage Requirements" in MySQL's manual). A TEXT, BLOB or
JSON column cannot be a key column at all without a prefix length.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.migrations.loader import MigrationLoader

MAX_KEY_BYTES = 3072
BYTES_PER_CHAR = 4  # utf8mb4

# The MySQL that Open edX runs. Django asks a server only for its version and
# modes; the column types it writes for our fields do not depend on them.
MYSQL_8 = {"version": "8.0.40", "sql_mode": "", "default_storage_engine": "InnoDB",
           "sql_auto_is_null": False, "lower_case_table_names": 0,
           "has_zoneinfo_database": True}

FIXED_BYTES = {"bool": 1, "tinyint": 1, "smallint": 2, "mediumint": 3, "integer": 4, "int": 4,
               "bigint": 8, "float": 4, "double": 8, "double precision": 8, "real": 8,
               "date": 3, "year": 1}
TEMPORAL_BYTES = {"time": 3, "timestamp": 4, "datetime": 5}  # plus the fractional seconds
CHARACTER_TYPES = {"char", "varchar"}
BINARY_TYPES = {"binary", "varbinary"}
NOT_A_KEY_COLUMN = {"json", "tinytext", "text", "mediumtext", "longtext",
                    "tinyblob", "blob", "mediumblob", "longblob"}
# DECIMAL stores 9 digits in 4 bytes; the digits left over take this many.
DECIMAL_LEFTOVER_BYTES = (0, 1, 1, 2, 2, 3, 3, 4, 4)
COLUMN_TYPE = re.compile(r"(?P<name>[a-z ]+?)\s*(?:\((?P<args>[\d,\s]+)\))?"
                         r"(?:\s+unsigned)?(?:\s+auto_increment)?", re.IGNORECASE)


class UnsizedColumn(ValueError):
    """A column that cannot be part of a key, or whose width this module does not know."""


@dataclass(frozen=True)
class Finding:
    """A key wider than MySQL allows (width), or one that cannot be sized at all (problem)."""

    migration: str
    model: str
    key: str
    width: int | None = None
    problem: str = ""

    def __str__(self):
        where = f"{self.migration}: {self.model}.{self.key}"
        if self.problem:
            return f"{where}: {self.problem}"
        return f"{where} is {self.width:,} bytes (MySQL's limit: {MAX_KEY_BYTES:,})"


def mysql8_connection():
    """Django's MySQL backend for a MySQL 8.0 server, never connected: it names column types."""
    try:  # imported here: the backend needs mysqlclient, which the rest of the tests do not
        from django.db.backends.mysql.base import DatabaseWrapper
    except ImproperlyConfigured as err:
        raise RuntimeError("Django's MySQL backend needs mysqlclient: "
                           "pip install -r requirements/mariadb.in") from err
    connection = DatabaseWrapper({"ENGINE": "django.db.backends.mysql", "NAME": "key_widths",
                                  "OPTIONS": {"charset": "utf8mb4"}}, alias="mysql-key-widths")
    connection.mysql_server_data = dict(MYSQL_8)
    return connection


def decimal_bytes(digits, places):
    return sum(4 * (part // 9) + DECIMAL_LEFTOVER_BYTES[part % 9]
               for part in (digits - places, places))


def column_bytes(column_type):
    """The bytes a column of this MySQL type takes in a key."""
    match = COLUMN_TYPE.fullmatch(column_type.strip())
    if not match:
        raise UnsizedColumn(f"unknown column type {column_type!r}")
    name = match["name"].lower()
    args = [int(arg) for arg in (match["args"] or "").split(",") if arg.strip()]
    if name in NOT_A_KEY_COLUMN:
        raise UnsizedColumn(f"a {name.upper()} column cannot be a key column")
    if name in CHARACTER_TYPES:
        return args[0] * BYTES_PER_CHAR
    if name in BINARY_TYPES:
        return args[0]
    if name in TEMPORAL_BYTES:
        fraction_digits = args[0] if args else 0
        return TEMPORAL_BYTES[name] + (fraction_digits + 1) // 2
    if name in ("numeric", "decimal"):
        return decimal_bytes(*args)
    if name in FIXED_BYTES:
        return FIXED_BYTES[name]
    raise UnsizedColumn(f"unknown column type {column_type!r}")


@dataclass(frozen=True)
class Key:
    """A key a model declares: its name (as it reads in the model) and its fields' names."""

    name: str
    fields: tuple
    problem: str = ""


def named_keys(meta):
    """Indexes, unique constraints and unique_together of a model's Meta."""
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            if constraint.expressions:
                yield Key(constraint.name, (), "an expression key: size it by hand")
            else:
                yield Key(constraint.name, tuple(constraint.fields))
    for index in meta.indexes:
        if index.expressions:
            yield Key(index.name, (), "an expression index: size it by hand")
        else:
            yield Key(index.name, tuple(name for name, _order in index.fields_orders))
    for fields in meta.unique_together:
        yield Key(f"unique_together{tuple(fields)}", tuple(fields))


def field_keys(meta):
    """The keys a field makes: primary key, unique=True, db_index=True, a foreign key's index."""
    for field in meta.local_fields:
        if field.primary_key:
            yield Key(f"{field.name} (primary key)", (field.name,))
        elif field.unique:
            yield Key(f"{field.name} (unique=True)", (field.name,))
        elif field.is_relation and (field.db_index or field.db_constraint):
            # InnoDB indexes a foreign key's column even when Django does not ask it to.
            yield Key(f"{field.name} (foreign key)", (field.name,))
        elif field.db_index:
            yield Key(f"{field.name} (db_index=True)", (field.name,))


def keys_of(model):
    meta = model._meta  # noqa: SLF001
    yield from named_keys(meta)
    yield from field_keys(meta)


def key_width(model, key, connection):
    meta = model._meta  # noqa: SLF001
    return sum(column_bytes(meta.get_field(name).db_type(connection)) for name in key.fields)


def widths_in_state(state, app_label, connection):
    """(model, key, width or None, problem) for every key of the app's models in a project state."""
    for model in state.apps.get_models(include_auto_created=True):
        if model._meta.app_label != app_label:  # noqa: SLF001
            continue
        for key in keys_of(model):
            if key.problem:
                yield model.__name__, key.name, None, key.problem
                continue
            try:
                yield model.__name__, key.name, key_width(model, key, connection), ""
            except UnsizedColumn as err:
                yield model.__name__, key.name, None, str(err)


def findings_in_state(migration, state, app_label, connection):
    return [Finding(migration, model, key, width, problem)
            for model, key, width, problem in widths_in_state(state, app_label, connection)
            if problem or width > MAX_KEY_BYTES]


def migration_names(loader, app_label):
    return sorted(name for label, name in loader.graph.nodes if label == app_label)


def findings_in_migrations(app_label, loader=None, connection=None):
    """Every key too wide (or unsizable) in the state after each of the app's migrations."""
    loader = loader or MigrationLoader(None, ignore_no_migrations=True)
    connection = connection or mysql8_connection()
    findings = []
    for name in migration_names(loader, app_label):
        state = loader.project_state((app_label, name), at_end=True)
        findings.extend(findings_in_state(name, state, app_label, connection))
    return findings
