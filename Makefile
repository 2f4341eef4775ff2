.PHONY: demo lint readme test

# Odoo (18 or 19, whichever is importable; else installs 19, or ODOO_SERIES=18) with stage_automation and demo data on http://localhost:8069 (admin / admin).
demo:
	bash scripts/demo.sh

# The linters of .pre-commit-config.yaml (OCA's: pylint-odoo, oca-checks-odoo-module and -po, ruff)
# on every file; they fail on any message.
lint:
	bash scripts/lint.sh

# Each addon's README.rst and static/description/index.html, from its readme/*.md fragments.
readme:
	python3 scripts/gen_readme.py || [ $$? = 1 ]

# On each claimed Odoo series (18 with python3, 19 with $STAGE_AUTOMATION_ODOO19_PYTHON): fresh databases, the addons' Odoo tests and the plain pytest tests, with the linters (make lint)
# running meanwhile: any of them failing fails it (scripts/test.sh).
test:
	LINT=1 bash scripts/test.sh
