"""upstream-xblock: an Open edX XBlock that tracks learners' upstream contributions."""

import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def requirements(path):
    """Package specifiers from a requirements .in file (comments and -r lines dropped)."""
    lines = []
    with open(os.path.join(HERE, path), encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                lines.append(line)
    return lines


def version():
    with open(os.path.join(HERE, "upstream_xblock", "__init__.py"), encoding="utf-8") as handle:
        return re.search(r'__version__ = "([^"]+)"', handle.read()).group(1)


setup(
    name="upstream-xblock",
    version=version(),
    description="Open edX XBlock that tracks learners' upstream contributions "
                "(GitHub, GitLab, Gerrit, Gitea/Forgejo) until they are accepted",
    long_description=open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-only",
    license_files=["LICENSE"],
    python_requires=">=3.12",
    # static/ and templates/ sit at the top of the repository (the project's
    # layout) and are shipped inside the package as upstream_xblock.static and
    # upstream_xblock.templates, found at run time with importlib.resources.
    packages=find_packages(include=["upstream_xblock", "upstream_xblock.*"])
    + ["upstream_xblock.static", "upstream_xblock.templates"],
    package_dir={"upstream_xblock.static": "static", "upstream_xblock.templates": "templates"},
    package_data={"upstream_xblock.static": ["**/*"], "upstream_xblock.templates": ["**/*"],
                  "upstream_xblock": ["translations/*/LC_MESSAGES/*"]},
    include_package_data=True,
    install_requires=requirements("requirements/base.in"),
    extras_require={"celery": requirements("requirements/celery.in")},
    entry_points={
        "xblock.v1": ["upstream_contribution = upstream_xblock.block:UpstreamContributionBlock"],
        "lms.djangoapp": ["upstream_xblock = upstream_xblock.apps:UpstreamXBlockConfig"],
        "cms.djangoapp": ["upstream_xblock = upstream_xblock.apps:UpstreamXBlockConfig"],
    },
    classifiers=[
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3.12",
    ],
)
