import json
import re

from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.exceptions import MissingError, UserError
from odoo.http import request

from ..models.stage_automation_trigger import MAX_RECORD_ID

MAX_BODY = 1024 * 1024  # the webhook's body
MAX_FORM_BODY = 16 * 1024  # the form's body: all of it is kept, once, as the event's data
# A transparent 1×1 GIF: the answer of the open-tracking pixel.
PIXEL = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
         b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
# What ``odoo.tools.misc.hmac`` makes: anything else is no tracking token.
TRACKING_TOKEN = re.compile(r"[0-9a-f]{64}")


class StageAutomationController(http.Controller):
    """Inbound events: the trigger webhook, the JSON form endpoint and the tracking of sent e-mails.

    The webhook and the form endpoint are ``stage_automation_json`` routes:
    ``ir.http`` refuses a wrong method, media type or length, and a client
    over the form's rate limit, before the body is read, and answers their
    errors in JSON (see ``models/ir_http.py``). What is left here is parsing
    the body and one call of ``stage.automation.trigger``, whose exceptions
    become status codes.
    """

    @http.route("/stage_automation/webhook/<string:token>", type="http", auth="public", methods=["POST"],
                csrf=False, save_session=False, max_content_length=MAX_BODY, stage_automation_json=True)
    def webhook(self, token, **kwargs):
        """Fire the webhook trigger of ``token`` for the lead named by the JSON body.

        Body: ``{"lead_id": 42}`` or ``{"email": …}`` or ``{"phone": …}``, and an optional ``"payload"``.
        Answers 200 with one result per lead, 400 for a malformed body, 403 for an unknown or revoked
        token, 404 when no open lead matches, 413 for a body over 1 MiB.
        """
        trigger = request.env["stage.automation.trigger"].sudo()._find_by_token(token)
        if not trigger:
            return _answer({"error": _("Unknown or revoked token.")}, 403)
        try:
            return _answer(trigger._fire_webhook(_json_body()), 200)
        except MissingError as error:
            return _answer({"error": error.args[0]}, 404)
        except UserError as error:
            return _answer({"error": error.args[0]}, 400)

    @http.route("/stage_automation/form", type="http", auth="public", methods=["POST"], csrf=False,
                save_session=False, max_content_length=MAX_FORM_BODY, stage_automation_json=True,
                stage_automation_rate_limit="form")
    def form(self, **kwargs):
        """A form of a web page was sent: the customer's open leads are fired.

        Body: ``{"form": "name", "email": …, "phone": …, "callback": false, …}``; ``callback: true``
        is a callback request. Every key is kept as the payload of the firing.

        Anyone may post here, so the answer says nothing of the leads: 202 whether any matched or
        not, at once (a queue job fires them; the firings are in the leads' trigger logs), 400 for a
        malformed body, 413 for a body over 16 KiB, 429 when the client address sent too many forms.
        """
        try:
            request.env["stage.automation.trigger"].sudo()._submit_form(_json_body())
        except UserError as error:
            return _answer({"error": error.args[0]}, 400)
        return _answer({"status": "received"}, 202)

    @http.route("/stage_automation/track/<int:run_id>/<string:token>/blank.gif", type="http", auth="public",
                methods=["GET"], save_session=False)
    def track_open(self, run_id, token, **kwargs):
        """The tracking pixel of an e-mail sent by a rule: the customer viewed it."""
        return _opened(_tracked("stage.automation.run", run_id, token), {"run_id": run_id})

    @http.route("/stage_automation/track/message/<int:message_id>/<string:token>/blank.gif", type="http",
                auth="public", methods=["GET"], save_session=False)
    def track_message_open(self, message_id, token, **kwargs):
        """The tracking pixel of an e-mail sent to the customer from a lead's chatter: they viewed it."""
        return _opened(_tracked("mail.message", message_id, token), {"message_id": message_id})

    @http.route("/r/<string:code>/sa/<int:run_id>/<string:token>", type="http", auth="public", methods=["GET"],
                save_session=False)
    def track_click(self, code, run_id, token, **kwargs):
        """A link of an e-mail sent by a rule, through Odoo's link tracker: count it, fire, redirect."""
        return _clicked(code, lambda: _tracked("stage.automation.run", run_id, token), {"run_id": run_id})

    @http.route("/r/<string:code>/sam/<int:message_id>/<string:token>", type="http", auth="public",
                methods=["GET"], save_session=False)
    def track_message_click(self, code, message_id, token, **kwargs):
        """A link of an e-mail sent to the customer from a lead's chatter: count it, fire, redirect."""
        return _clicked(code, lambda: _tracked("mail.message", message_id, token), {"message_id": message_id})


def _opened(tracked, payload):
    if tracked and not request.env["ir.http"].is_a_bot():
        tracked._stage_automation_tracked("email_opened", payload)
    return request.make_response(PIXEL, [("Content-Type", "image/gif"), ("Cache-Control", "no-store")])


def _clicked(code, tracked, payload):
    url = request.env["link.tracker"].sudo().get_url_from_code(code) if "\x00" not in code else None
    if not url:
        raise NotFound()
    if not request.env["ir.http"].is_a_bot():
        request.env["link.tracker.click"].sudo().add_click(
            code, ip=request.httprequest.remote_addr, country_code=request.geoip.country_code)
        record = tracked()
        if record:
            record._stage_automation_tracked("link_clicked", dict(payload, url=url))
    return request.redirect(url, code=301, local=False)


def _json_body():
    """The JSON body of the request (its length was checked before it was read).

    :raise UserError: the body is not UTF-8 JSON
    """
    try:
        return json.loads(request.httprequest.get_data(cache=False).decode())
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise UserError(_("The body is not valid JSON.")) from error


def _tracked(model, record_id, token):
    """The run, or the message, of a tracking address; an empty recordset when the address is forged or
    malformed."""
    records = request.env[model].sudo()
    if not (0 < record_id <= MAX_RECORD_ID and TRACKING_TOKEN.fullmatch(token)):
        return records.browse()
    return records._stage_automation_from_tracking_token(record_id, token)


def _answer(data, status, headers=None):
    return request.make_json_response(data, headers=headers, status=status)
