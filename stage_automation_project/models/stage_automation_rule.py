from datetime import datetime, time
from zoneinfo import ZoneInfo

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, plaintext2html
from odoo.tools.translate import _lt


class StageAutomationRule(models.Model):
    """"Task" in a project: a project task linked to the lead instead of a to-do activity."""

    _inherit = "stage.automation.rule"

    task_project_id = fields.Many2one(
        "project.project", string="In project", ondelete="restrict",
        help="Create a task of this project, linked to the lead, instead of a to-do activity.")

    def _prepare_action_task(self, run, lead):
        """A task of the chosen project: assigned to the recipients, due at the end of the day
        "Due in (days)" from the day the rule runs, for the lead's customer."""
        project = self.task_project_id
        if not project:
            return super()._prepare_action_task(run, lead)
        if not project.active:
            raise UserError(_("Project “%(project)s” is archived.", project=project.name))
        users = self._activity_users(lead)
        tz = ZoneInfo(users[0].tz or "UTC")
        day = self._activity_due_day(run, lead, users[0])
        return {
            "recipients": users,
            "project": project,
            "deadline": datetime.combine(day, time(23, 59), tzinfo=tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None),
            "subject": self._render("summary", lead) or lead.name,
            "body": plaintext2html(self._render("body", lead)) if self.body else "",
            "details": [(_("In project"), project.name), (_("Deadline"), format_date(self.env, day))],
        }

    def _run_action_task(self, run, lead):
        """A task of the chosen project, high priority when important, linked to the lead."""
        if not self.task_project_id:
            return super()._run_action_task(run, lead)
        plan = self._prepare_action(run, lead)
        users, project = plan["recipients"], plan["project"]
        task = self.env["project.task"].create({
            "name": plan["subject"],
            "description": plan["body"] or False,
            "project_id": project.id,
            "user_ids": [Command.set(users.ids)],
            "date_deadline": plan["deadline"],
            "priority": "1" if self.activity_important else "0",
            "partner_id": lead.partner_id.id,
            "opportunity_id": lead.id,
        })
        run.project_task_ids |= task
        run._set_outputs({"task_id": task.id})
        return _lt("Task “%(task)s” created in project “%(project)s” for %(users)s.",
                   task=task.name, project=project.name, users=", ".join(users.mapped("name")))

    @api.model
    def _close_created_records(self, leads):
        """"Close when the lead leaves the stage" marks the open tasks done too."""
        tasks = self._runs_closing_on_exit(leads, "project_task_ids").project_task_ids
        tasks.filtered(lambda task: not task.is_closed).write({"state": "1_done"})
        return super()._close_created_records(leads)
