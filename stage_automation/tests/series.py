"""What the tests expect differently on Odoo 18 and 19, in one place; the tests themselves are the same.

Only data and wording that Odoo itself changed between the series belong here, never the addon's
behaviour: the addon behaves alike on both (see ``compat.py``).
"""

from odoo import Command

from odoo.addons.stage_automation import compat

SERIES = compat.SERIES
# Where Odoo keeps the most records its write updates in one statement, and the XML-RPC fault code of an
# AccessError: 19 moved them (``odoo.orm``, the ``rpc`` addon).
if SERIES >= 19:
    from odoo.orm.models import UPDATE_BATCH_SIZE  # noqa: F401

    from odoo.addons.rpc.controllers.xmlrpc import RPC_FAULT_CODE_ACCESS_ERROR  # noqa: F401
else:
    from odoo.models import UPDATE_BATCH_SIZE  # noqa: F401

    from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR  # noqa: F401
#: A contact's, lead's or user's mobile number field: ``mobile`` on 18, ``phone`` on 19 (no more mobile).
MOBILE = "mobile" if "mobile" in compat.PHONE_FIELDS else "phone"
#: A user's groups: ``groups_id`` on 18, ``group_ids`` on 19.
USER_GROUPS = "group_ids" if SERIES >= 19 else "groups_id"
#: Who is online: ``bus.presence`` on 18, ``mail.presence`` on 19.
PRESENCE = "mail.presence" if SERIES >= 19 else "bus.presence"


def by_series(odoo18, odoo19):
    """``odoo18`` or ``odoo19``: what the running series expects."""
    return odoo19 if SERIES >= 19 else odoo18


def in_pipelines(*teams):
    """The values of a ``crm.stage`` of ``teams`` (one on 18; none: every pipeline)."""
    ids = [team.id for team in teams]
    if compat.STAGE_PIPELINES_FIELD == "team_ids":
        return {"team_ids": [Command.set(ids)]}
    assert len(ids) <= 1, "a stage of Odoo 18 belongs to one pipeline"
    return {"team_id": ids[0] if ids else False}


def shared_by(*teams):
    """The values of a ``crm.stage`` that pipelines ``teams`` use together: a stage of those pipelines on
    19; on 18, where a stage belongs to one pipeline or to all, a stage of every pipeline."""
    return in_pipelines(*teams) if compat.STAGE_PIPELINES_FIELD == "team_ids" else in_pipelines()
