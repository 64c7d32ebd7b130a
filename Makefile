# The usual targets of an Open edX package. The test command itself is scripts/test.sh
# (CI runs it through .ci/run); the others need the virtualenv `make requirements` builds.
.DEFAULT_GOAL := help
.PHONY: help requirements test quality compile_requirements upgrade \
        extract_translations compile_translations

VENV ?= .venv
PIP_COMPILE = $(VENV)/bin/pip-compile --quiet --allow-unsafe --no-emit-index-url \
              --no-emit-find-links --strip-extras $(COMPILE_OPTS)
export CUSTOM_COMPILE_COMMAND = make upgrade

help: ## this list
	@grep -E '^[a-z_]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 24

requirements: ## .venv with the compiled requirements, the MariaDB driver and the maintainers' tools
	UPSTREAM_XBLOCK_VENV=$(VENV) bash scripts/setup-env.sh
	$(VENV)/bin/python -m pip install --quiet -r requirements/mariadb.txt -r requirements/dev.txt

test: ## every suite: main, MariaDB, LMS packages, then Ulmo's Python and pins
	bash scripts/test.sh

quality: ## ruff, with the rules of pyproject.toml (edx-lint's pylint set, line length 100)
	$(VENV)/bin/ruff check upstream_xblock tests forge_simulator workbench_demo bench scripts setup.py

compile_requirements: ## requirements/*.txt from pyproject.toml and requirements/*.in, versions kept
	$(PIP_COMPILE) --extra celery -o requirements/test.txt pyproject.toml requirements/test.in
	$(PIP_COMPILE) -o requirements/mariadb.txt requirements/mariadb.in
	$(PIP_COMPILE) -o requirements/dev.txt requirements/dev.in
	$(VENV)/bin/tox -e ulmo-upgrade -- $(COMPILE_OPTS)

upgrade: export COMPILE_OPTS = --upgrade
upgrade: compile_requirements ## the same, every package at its newest allowed version

extract_translations: ## refresh translations/*/LC_MESSAGES/text.po and djangojs.po (GNU gettext)
	bash scripts/i18n.sh extract

compile_translations: ## *.po -> *.mo, djangojs.mo -> static/js/translations/*/djangojs.js (all shipped)
	bash scripts/i18n.sh compile
