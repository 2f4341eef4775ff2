import math
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL

# Requests allowed per client address and period (seconds), unless a system parameter says otherwise.
DEFAULT_LIMITS = {"form": (30, 60)}


class StageAutomationRateLimit(models.Model):
    """The recent requests of each client address to a public route, one row each.

    The rows are in the database so that every Odoo worker and server
    counts the same requests. Each request inserts its own row, as Odoo's
    ``auth.totp.rate.limit.log`` does: no row is updated by two requests
    at once, so that a burst of one client gets refusals, never the
    serialization failures of a shared counter. A refused request is not
    stored: a client keeps at most the allowed number of rows.
    """

    _name = "stage.automation.rate.limit"
    _description = "Stage Automation Rate Limit"
    _log_access = False

    scope = fields.Char(required=True, readonly=True)
    client = fields.Char(required=True, readonly=True)
    hit_date = fields.Datetime(required=True, readonly=True)

    def init(self):
        tools.create_index(self.env.cr, "stage_automation_rate_limit_scope_client_date_idx",
                           self._table, ["scope", "client", "hit_date"])

    @api.model
    def _limits(self, scope):
        """``(requests, seconds)`` allowed per client: system parameters
        ``stage_automation.<scope>_rate_limit`` and ``stage_automation.<scope>_rate_period``."""
        params = self.env["ir.config_parameter"].sudo()
        limit, period = DEFAULT_LIMITS[scope]
        return (int(params.get_param(f"stage_automation.{scope}_rate_limit", limit)),
                int(params.get_param(f"stage_automation.{scope}_rate_period", period)))

    @api.model
    def _retry_after(self, scope, client):
        """Count a request of ``client`` to ``scope``: 0 when it may go on, else the seconds to wait."""
        limit, period = self._limits(scope)
        now = fields.Datetime.now()
        [(count, oldest)] = self.sudo()._read_group(
            [("scope", "=", scope), ("client", "=", client), ("hit_date", ">", now - timedelta(seconds=period))],
            aggregates=["__count", "hit_date:min"])
        if count >= limit:
            return max(1, math.ceil((oldest + timedelta(seconds=period) - now).total_seconds()))
        self.sudo().create({"scope": scope, "client": client, "hit_date": now})
        return 0

    @api.autovacuum
    def _gc_old_hits(self):
        """Rows older than their period count no more."""
        now = fields.Datetime.now()
        for scope in DEFAULT_LIMITS:
            self.env.cr.execute(SQL("DELETE FROM %s WHERE scope = %s AND hit_date <= %s", SQL.identifier(self._table),
                                    scope, now - timedelta(seconds=self._limits(scope)[1])))
