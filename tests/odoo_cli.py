"""Odoo's command line, as a program file: the live servers run it (see conftest.LiveOdoo).

Odoo's prefork server starts its websocket worker by running its own program
again; ``python3 -m odoo`` cannot be run again that way, a file can.
"""

from odoo.cli.command import main

if __name__ == "__main__":
    main()
