import hmac
import re

from werkzeug import urls

from odoo import api, models
from odoo.tools.mail import URL_REGEX
from odoo.tools.misc import hmac as signed

TRACKING_SCOPE = "stage_automation-tracking"


class StageAutomationRun(models.Model):
    """Open and click tracking of the e-mails a run sends, feeding the "viewed" and "clicked" triggers."""

    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    def _tracking_token(self):
        self.ensure_one()
        return signed(self.env(su=True), TRACKING_SCOPE, self.id)

    @api.model
    def _stage_automation_from_tracking_token(self, run_id, token):
        run = self.browse(run_id).exists()
        if run and hmac.compare_digest(run._tracking_token(), token or ""):
            return run
        return self.browse()

    def _track_email_body(self, body_html):
        """``body_html`` with its links going through Odoo's link tracker and a pixel telling when it is viewed."""
        self.ensure_one()
        if not body_html:
            return body_html
        token = self._tracking_token()
        # Plain text from here: Markup.replace() would escape the links it inserts, and nothing would match.
        body = str(self.env["mail.render.mixin"].sudo()._shorten_links(body_html, {}))
        for href, url, *_rest in set(re.findall(URL_REGEX, body)):
            parsed = urls.url_parse(url, scheme="http")
            if parsed.scheme.startswith("http") and parsed.path.startswith("/r/"):
                body = body.replace(href, href.replace(url, f"{url}/sa/{self.id}/{token}"))
        pixel = (f'<img src="{self.get_base_url()}/stage_automation/track/{self.id}/{token}/blank.gif" '
                 f'alt="" width="1" height="1" style="display:none"/>')
        return f"{body}{pixel}"

    def _stage_automation_tracked(self, trigger_type, payload):
        self.ensure_one()
        return self.env["stage.automation.trigger"].sudo()._fire_event_safely(
            trigger_type, self.lead_id, payload=payload, event=payload)
