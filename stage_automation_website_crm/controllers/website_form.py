from urllib.parse import urlsplit

from odoo.addons.website_crm.controllers import website_form

# Hidden fields a website form may carry for the triggers; they are kept out of the lead's description.
FORM_FIELD = "stage_automation_form"
CALLBACK_FIELD = "stage_automation_callback"


class WebsiteForm(website_form.WebsiteForm):
    """A lead created by a website form fires the form triggers of its customer."""

    def extract_data(self, model, values):
        if model.sudo().model == "crm.lead":
            values = {name: value for name, value in values.items() if name not in (FORM_FIELD, CALLBACK_FIELD)}
        return super().extract_data(model, values)

    def insert_record(self, request, model, values, custom, meta=None):
        record_id = super().insert_record(request, model, values, custom, meta=meta)
        if model.sudo().model == "crm.lead" and record_id:
            referrer = request.httprequest.referrer
            request.env["crm.lead"].sudo().browse(record_id)._stage_automation_website_form(
                form=request.params.get(FORM_FIELD) or "",
                page=urlsplit(referrer).path if referrer else "",
                callback=bool(request.params.get(CALLBACK_FIELD)),
            )
        return record_id
