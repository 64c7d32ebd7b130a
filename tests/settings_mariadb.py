"""Test settings on MariaDB (Debian's mariadb-server, the MySQL family Open edX runs on).

The server is started by ``tests/test_mariadb.py`` on a Unix socket in a temporary
directory (``UPSTREAM_MARIADB_SOCKET``); the driver is mysqlclient, as in the LMS.
"""

import os

from tests.settings import *  # noqa: F401,F403

DATABASES = {"default": {
    "ENGINE": "django.db.backends.mysql",
    "NAME": "upstream_xblock",
    "USER": "root",
    "HOST": os.environ["UPSTREAM_MARIADB_SOCKET"],  # a path: mysqlclient connects by socket
    "OPTIONS": {"charset": "utf8mb4"},
    "TEST": {"NAME": "test_upstream_xblock", "CHARSET": "utf8mb4",
             "COLLATION": "utf8mb4_unicode_ci"},
}}
