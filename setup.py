"""The package list, the one part of the build that pyproject.toml cannot state.

Everything else (metadata, dependencies, entry points, package data) is in pyproject.toml.
static/ and templates/ sit at the top of the repository and are shipped inside the package
as upstream_xblock.static and upstream_xblock.templates, found at run time with
importlib.resources (upstream_xblock/block/resources.py).
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["upstream_xblock", "upstream_xblock.*"])
    + ["upstream_xblock.static", "upstream_xblock.templates"],
    package_dir={"upstream_xblock.static": "static", "upstream_xblock.templates": "templates"},
)
