import json
import logging

from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # 1 MiB
# A transparent 1×1 GIF: the answer of the open-tracking pixel.
PIXEL = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
         b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


class StageAutomationController(http.Controller):
    """Inbound events: the trigger webhook, the JSON form endpoint and the tracking of sent e-mails."""

    @http.route("/stage_automation/webhook/<string:token>", type="http", auth="public", methods=["POST"],
                csrf=False, save_session=False)
    def webhook(self, token, **kwargs):
        """Fire the webhook trigger of ``token`` for the lead named by the JSON body.

        Body: ``{"lead_id": 42}`` or ``{"email": …}`` or ``{"phone": …}``, and an optional ``"payload"``.
        Answers 200 with one result per lead, 400 for a malformed body, 403 for an unknown or revoked
        token, 404 when no open lead matches, 413 for a body over 1 MiB.
        """
        body, error = _read_json_body()
        if error:
            return error
        trigger = request.env["stage.automation.trigger"].sudo()._find_by_token(token)
        if not trigger:
            return _answer({"error": "Unknown or revoked token."}, 403)
        if not isinstance(body, dict):
            return _answer({"error": "The body must be a JSON object."}, 400)
        payload = body.get("payload")
        if payload is not None and not isinstance(payload, dict):
            return _answer({"error": "“payload” must be a JSON object."}, 400)
        Lead = request.env["crm.lead"].sudo()
        lead_id = body.get("lead_id")
        try:
            if lead_id is not None:
                if not isinstance(lead_id, int) or isinstance(lead_id, bool):
                    return _answer({"error": "“lead_id” must be an integer."}, 400)
                leads = Lead.browse(lead_id).exists()
            elif body.get("email") or body.get("phone"):
                leads = Lead._stage_automation_match(_text(body.get("email")), _text(body.get("phone")))
            else:
                return _answer({"error": "Name the lead with “lead_id”, “email” or “phone”."}, 400)
        except UserError as exc:
            return _answer({"error": exc.args[0]}, 400)
        if trigger.company_id:
            # A token speaks for its trigger's company only: other companies' leads are not its callers' business.
            leads = leads.filtered(lambda lead: not lead.company_id or lead.company_id == trigger.company_id)
        if not leads:
            return _answer({"error": "No open lead matches."}, 404)
        return _fire_safely(lambda: trigger._fire(leads, payload=payload))

    @http.route("/stage_automation/form", type="http", auth="public", methods=["POST"],
                csrf=False, save_session=False)
    def form(self, **kwargs):
        """A form of a website or of a landing page was sent: the customer's open leads are fired.

        Body: ``{"form": "name", "email": …, "phone": …, "callback": false, …}``; ``callback: true``
        is a callback request. Every key is kept as the payload of the firing.

        Anyone may post here, so the answer says nothing of the leads: 202 whether any matched or
        not (the firings are in the leads' trigger logs), 400 for a malformed body.
        """
        body, error = _read_json_body()
        if error:
            return error
        if not isinstance(body, dict) or not (body.get("email") or body.get("phone")):
            return _answer({"error": "Send a JSON object with the customer's “email” or “phone”."}, 400)
        event = "callback_request" if body.get("callback") is True else "form_submitted"
        try:
            leads = request.env["crm.lead"].sudo()._stage_automation_match(
                _text(body.get("email")), _text(body.get("phone")))
        except UserError as exc:
            return _answer({"error": exc.args[0]}, 400)
        answer = _fire_safely(lambda: request.env["stage.automation.trigger"].sudo()._fire_event(
            event, leads, payload=body, event={"form": _text(body.get("form"))}))
        if answer.status_code != 200:
            return answer
        return _answer({"status": "received"}, 202)

    @http.route("/stage_automation/track/<int:run_id>/<string:token>/blank.gif", type="http", auth="public",
                methods=["GET"], save_session=False)
    def track_open(self, run_id, token, **kwargs):
        """The tracking pixel of an e-mail sent by a rule: the customer viewed it."""
        run = request.env["stage.automation.run"].sudo()._from_tracking_token(run_id, token)
        if run and not request.env["ir.http"].is_a_bot():
            run._stage_automation_tracked("email_opened", {"run_id": run.id})
        return request.make_response(PIXEL, [("Content-Type", "image/gif"), ("Cache-Control", "no-store")])

    @http.route("/r/<string:code>/sa/<int:run_id>/<string:token>", type="http", auth="public", methods=["GET"],
                save_session=False)
    def track_click(self, code, run_id, token, **kwargs):
        """A link of an e-mail sent by a rule, through Odoo's link tracker: count it, fire, redirect."""
        url = request.env["link.tracker"].sudo().get_url_from_code(code)
        if not url:
            raise NotFound()
        if not request.env["ir.http"].is_a_bot():
            request.env["link.tracker.click"].sudo().add_click(
                code, ip=request.httprequest.remote_addr, country_code=request.geoip.country_code)
            run = request.env["stage.automation.run"].sudo()._from_tracking_token(run_id, token)
            if run:
                run._stage_automation_tracked("link_clicked", {"run_id": run.id, "url": url})
        return request.redirect(url, code=301, local=False)


def _read_json_body():
    """The JSON body of the request, or an error answer (413 over 1 MiB, 400 when it is not JSON)."""
    too_large = _answer({"error": "The body is larger than 1 MiB."}, 413)
    length = request.httprequest.content_length
    if length is not None and length > MAX_BODY:
        return None, too_large
    # A body without a declared length (chunked) is read no further than the limit.
    request.httprequest.max_content_length = MAX_BODY
    try:
        raw = request.httprequest.get_data(cache=False)
    except RequestEntityTooLarge:
        return None, too_large
    try:
        return json.loads(raw or b"null"), None
    except (UnicodeDecodeError, ValueError):
        return None, _answer({"error": "The body is not valid JSON."}, 400)


def _fire_safely(fire):
    """200 with the results; an unexpected failure is logged, undone and answered 500 without details."""
    try:
        return _answer(fire(), 200)
    except Exception:
        _logger.exception("Stage automation: firing from an inbound call failed")
        request.env.cr.rollback()
        return _answer({"error": "Internal error: the event was not processed."}, 500)


def _answer(data, status):
    return request.make_json_response(data, status=status)


def _text(value):
    return value if isinstance(value, str) else None
