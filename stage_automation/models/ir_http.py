from werkzeug.exceptions import (
    HTTPException,
    LengthRequired,
    MethodNotAllowed,
    RequestEntityTooLarge,
    TooManyRequests,
    UnsupportedMediaType,
)

from odoo import _, models
from odoo.http import request


class IrHttp(models.AbstractModel):
    """The JSON routes of stage automation (``@route(..., stage_automation_json=True)``: the webhook and
    the form endpoint) judge a request on its headers and its client, before Odoo reads its body, and
    answer in JSON: their controllers only parse the body and call the model."""

    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        """Refuse, before a byte of the body is read: another method than POST (Odoo lets OPTIONS
        through to every route), a body that is not JSON, a body of undeclared length (chunked: older
        werkzeug versions would read it whole) or longer than the route's ``max_content_length``, and
        a client address over the rate limit of the route's ``stage_automation_rate_limit`` scope."""
        request.stage_automation_json = rule.endpoint.routing.get("stage_automation_json", False)
        super()._pre_dispatch(rule, args)
        if not request.stage_automation_json:
            return
        httprequest = request.httprequest
        if httprequest.method != "POST":
            raise MethodNotAllowed(["POST"], _("Only the POST method is accepted here."))
        if httprequest.mimetype != "application/json":
            raise UnsupportedMediaType(
                _("The body must be JSON, sent with the header “Content-Type: application/json”."))
        if httprequest.content_length is None:
            raise LengthRequired(_("The body must be sent with a “Content-Length” header, not in chunks."))
        limit = httprequest.max_content_length
        if httprequest.content_length > limit:
            raise RequestEntityTooLarge(_("The body is larger than %(size)s.", size=_size(limit)))
        scope = rule.endpoint.routing.get("stage_automation_rate_limit")
        if scope:
            retry_after = request.env["stage.automation.rate.limit"].sudo()._retry_after(
                scope, httprequest.remote_addr or "unknown")
            if retry_after:
                raise TooManyRequests(_("Too many requests from your address: try again in %(seconds)s seconds.",
                                        seconds=retry_after), retry_after=retry_after)

    @classmethod
    def _handle_error(cls, exception):
        """Errors of the JSON routes in JSON, an internal error without its details (Odoo logs it)."""
        if not getattr(request, "stage_automation_json", False):
            return super()._handle_error(exception)
        if isinstance(exception, HTTPException) and exception.code:
            response = request.make_json_response({"error": exception.description}, status=exception.code)
            response.headers.extend(
                (name, value) for name, value in exception.get_headers() if name.casefold() != "content-type")
            return response
        return request.make_json_response({"error": _("Internal error: the event was not processed.")}, status=500)


def _size(size):
    """``size`` bytes for people: "1 MiB", "16 KiB"."""
    return f"{size // 1024 ** 2} MiB" if size % 1024 ** 2 == 0 else f"{size // 1024} KiB"
