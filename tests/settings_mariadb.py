"""Test settings on MariaDB (Debian's mariadb-server, the MySQL family Open edX runs on).

The server is started by the plugin ``tests/mariadb_server.py`` on a Unix socket in the
run's temporary directory (``UPSTREAM_MARIADB_SOCKET``, set here unless given, so that
the tests' worker processes find it too); the driver is mysqlclient, as in the LMS.
"""

import os

from tests.settings import *  # noqa: F401,F403

os.environ.setdefault("UPSTREAM_MARIADB_SOCKET",
                      os.path.join(os.environ["UPSTREAM_XBLOCK_VAR"], "mariadb", "mariadb.sock"))
os.makedirs(os.path.dirname(os.environ["UPSTREAM_MARIADB_SOCKET"]), exist_ok=True)

DATABASES = {"default": {
    "ENGINE": "django.db.backends.mysql",
    "NAME": "upstream_xblock",
    "USER": "root",
    "HOST": os.environ["UPSTREAM_MARIADB_SOCKET"],  # a path: mysqlclient connects by socket
    "OPTIONS": {"charset": "utf8mb4"},
    "TEST": {"NAME": "test_upstream_xblock", "CHARSET": "utf8mb4",
             "COLLATION": "utf8mb4_unicode_ci"},
}}
