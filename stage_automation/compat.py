"""What differs between the Odoo series the addons run on, 18.0 and 19.0, in one place.

The rest of the code (the bridge addons' too) imports what it needs from here and never
tests the series itself. Each name says what it does on both series; its test in
``tests/test_compat.py`` fails on the series where the name would be wrong without it.
"""

import functools

from odoo import api, fields, models
from odoo.release import version_info

#: The major version of the running Odoo: 18 or 19.
SERIES = version_info[0]

if SERIES >= 19:
    from odoo.fields import Domain

    from odoo.addons.base.models.ir_qweb import QWebError as QWEB_ERROR
else:  # pragma: no cover - Odoo 18
    from odoo.osv import expression
    from odoo.service.model import _as_validation_error

    from odoo.addons.base.models.ir_qweb import QWebException as QWEB_ERROR

    Domain = None

#: Odoo 19 runs ``@api.constrains`` methods as superuser (``_validate_fields``); 18 as the caller.
CONSTRAINTS_RUN_AS_SUPERUSER = SERIES >= 19
#: The phone fields of leads, contacts and users: Odoo 19 took ``mobile`` off them.
PHONE_FIELDS = ("phone",) if SERIES >= 19 else ("phone", "mobile")
#: Odoo 19: a stage belongs to several pipelines (``team_ids``); 18: to one (``team_id``).
STAGE_PIPELINES_FIELD = "team_ids" if SERIES >= 19 else "team_id"
#: The live chats still going on (``discuss.channel``, im_livechat): no end date on 19, ``livechat_active`` on 18.
LIVECHAT_GOING_ON = [("livechat_end_dt", "=", False)] if SERIES >= 19 else [("livechat_active", "=", True)]
#: Odoo 19 groups a group's rights in a ``res.groups.privilege``; 18 in an ``ir.module.category``.
GROUP_PRIVILEGES = SERIES >= 19


# ------------------------------------------------------------
# ERRORS
# ------------------------------------------------------------


def sql_error_message(env, error):
    """The sentence Odoo shows a user whose save breaks a database constraint (``psycopg2.IntegrityError``)."""
    if SERIES >= 19:
        model = env["base"]
        for model_class in env.registry.values():
            if error.diag.table_name == model_class._table:
                model = env[model_class._name]
                break
        return env._("The operation cannot be completed: %s", model._sql_error_to_message(error))
    return _as_validation_error(env, error).args[0]


def qweb_error_details(error):
    """``(detail, template)`` of an error of a QWeb rendering, or None when ``error`` is not one."""
    if not isinstance(error, QWEB_ERROR):
        return None
    cause = error.__cause__ or error.__context__
    if SERIES >= 19:
        info = error.qweb
        return (str(cause) if cause else info.error), info.template
    return (str(cause) if cause else error.title), error.name


# ------------------------------------------------------------
# ORM
# ------------------------------------------------------------


def domain_and(domains):
    """The conjunction of ``domains``, as ``search`` takes it."""
    return Domain.AND(domains) if Domain else expression.AND(domains)


def domain_or(domains):
    """The disjunction of ``domains``, as ``search`` takes it."""
    return Domain.OR(domains) if Domain else expression.OR(domains)


def check_field_access(model, operation, field_names):
    """Raise ``AccessError`` when the user of ``model`` may not ``operation`` ("read"/"write") one of the
    fields (unknown names pass; so does the superuser)."""
    if SERIES < 19:
        model.check_field_access_rights(operation, list(field_names))
        return
    if model.env.su:
        return
    for name in field_names:
        field = model._fields.get(name)
        if field is not None:
            model._check_field_access(field, operation)


def commit_cron_progress(env, processed, done, remaining):
    """In a cron: commit the batch just ``processed`` and report the progress (``done`` in all). Odoo 19's
    ``_commit_progress`` commits and reports; 18 reports with ``_notify_progress`` (deprecated on 19)."""
    if SERIES >= 19:
        env["ir.cron"]._commit_progress(processed, remaining=remaining)
    else:
        env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        env.cr.commit()  # pylint: disable=invalid-commit


def cron_progress_done(env, done):
    """Report a cron's work as finished (nothing outside a cron: 19's ``_commit_progress`` would commit)."""
    if SERIES < 19:
        env["ir.cron"]._notify_progress(done=done, remaining=0)
    elif env.context.get("ir_cron_progress_id"):
        env["ir.cron"]._commit_progress(0, remaining=0)


def sql_constraints(*constraints):
    """Class decorator: the model's SQL constraints, ``(name, definition, message)`` as 18's
    ``_sql_constraints`` were written; ``models.Constraint`` attributes ``_<name>`` on 19, where
    ``_sql_constraints`` are ignored. The table's constraint keeps its name on both."""

    def decorate(cls):
        if SERIES >= 19:
            for name, definition, message in constraints:
                constraint = models.Constraint(definition, message)
                setattr(cls, f"_{name}", constraint)
                constraint.__set_name__(cls, f"_{name}")
        else:
            cls._sql_constraints = [*getattr(cls, "_sql_constraints", []), *constraints]
        return cls

    return decorate


def constrains_as_user(*field_names):
    """``@api.constrains`` for a check of the rights of the user saving (a rule's author): it runs as
    that user on every series. Odoo 19 runs constraints as superuser: the model inherits
    :class:`ConstraintsAsUserMixin`, which tells the check whether its caller was."""

    def decorate(method):
        @functools.wraps(method)
        def check(records):
            if CONSTRAINTS_RUN_AS_SUPERUSER:
                records = records.sudo(records.env.context.get("stage_automation_constraint_su", records.env.su))
            return method(records)

        return api.constrains(*field_names)(check)

    return decorate


class ConstraintsAsUserMixin(models.AbstractModel):
    """Models with :func:`constrains_as_user` checks: Odoo 19 hands them the caller's superuser flag."""

    _name = "stage.automation.constraints.mixin"
    _description = "Stage automation: constraints checked as the user"

    def _validate_fields(self, field_names, excluded_names=()):
        records = self
        if CONSTRAINTS_RUN_AS_SUPERUSER:
            records = self.with_context(stage_automation_constraint_su=self.env.su)
        return super(ConstraintsAsUserMixin, records)._validate_fields(field_names, excluded_names)


# ------------------------------------------------------------
# CRM AND BASE DATA
# ------------------------------------------------------------


def find_partner_by_email(lead):
    """The contact of ``lead``, or else an existing contact with its e-mail address (never created)."""
    if SERIES >= 19:
        return lead._find_matching_partner()
    return lead._find_matching_partner(email_only=True)


def first_phone(*records):
    """The first number of ``records`` (a lead, its contact, a user), the mobile before the phone of each."""
    for record in records:
        for fname in reversed(PHONE_FIELDS):
            if record[fname]:
                return record[fname]
    return False


def classify_groups(env, groups_by_category):
    """Put groups in their place in the user form: ``{category xml id: [group xml ids]}``.

    On 18 each group gets the category; on 19 each category becomes a privilege (same xml id with
    ``_privilege``, same name, description and sequence, in the category's parent) that holds the groups.
    """
    for category_xmlid, group_xmlids in groups_by_category.items():
        category = env.ref(category_xmlid)
        groups = env["res.groups"]
        for xmlid in group_xmlids:
            groups |= env.ref(xmlid)
        if not GROUP_PRIVILEGES:
            groups.write({"category_id": category.id})
            continue
        module, name = category_xmlid.split(".")
        values = {
            "name": category.name,
            "description": category.description,
            "sequence": category.sequence,
            "category_id": category.parent_id.id,
        }
        # As a data file's record would be: an xml id of the module, kept by the module's updates.
        privilege = env["res.groups.privilege"]._load_records(
            [{"xml_id": f"{module}.{name}_privilege", "values": values, "noupdate": False}], update=True)
        # Its name in every language the category has (both translated, stored alike).
        env.cr.execute(
            "UPDATE res_groups_privilege SET name = c.name FROM ir_module_category c "
            "WHERE res_groups_privilege.id = %s AND c.id = %s", [privilege.id, category.id])
        privilege.invalidate_recordset(["name"])
        groups.write({"privilege_id": privilege.id})


def stage_pipelines_field():
    """``crm.stage.stage_automation_team_ids``, the pipelines a stage belongs to (none: every pipeline),
    read and searched alike on both series: ``team_ids`` on 19, ``team_id`` on 18."""
    if SERIES >= 19:
        return fields.Many2many(related="team_ids", string="Pipelines")
    return fields.Many2many(
        "crm.team", string="Pipelines", compute="_compute_stage_automation_team_ids",
        search="_search_stage_automation_team_ids")
