.PHONY: demo test

# Odoo 18 with stage_automation and demo data on http://localhost:8069 (admin / admin).
demo:
	bash scripts/demo.sh

# A fresh database, the addon's Odoo tests, then the plain pytest tests.
test:
	bash scripts/test.sh
