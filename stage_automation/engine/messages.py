"""What happened to a run, stored as a message and its values, written out in the reader's language.

Pure Python, no Odoo import. A run's reason is kept as the data of the
sentence, not as the sentence: a French manager and a Polish one read the same
run each in their language, with dates in their own time zone and format.

A message is what Odoo's ``_lt(source, **values)`` makes (any object with its
``_source``, ``_module`` and ``_args``): :func:`to_data` turns it into JSON,
values included (dates, numbers, other messages); :func:`render` writes it with
the reader's translation and date formats. Plain text (a sentence of another
system, a reason stored before messages existed) is kept and shown as it is.
"""

from datetime import date, datetime


def is_message(value):
    """Whether ``value`` is a lazy translation (Odoo's ``_lt``)."""
    return all(hasattr(value, name) for name in ("_source", "_module", "_args"))


def to_data(message):
    """The JSON form of a reason: ``{"module", "source", "args"}`` for a message, ``{"text"}`` for text.

    Empty reasons give ``None``.
    """
    if is_message(message):
        args = message._args
        if isinstance(args, dict):
            args = {name: _value_to_data(value) for name, value in args.items()}
        else:
            args = [_value_to_data(value) for value in args]
        return {"module": message._module, "source": message._source, "args": args}
    return {"text": str(message)} if message else None


def _value_to_data(value):
    if is_message(value):
        return to_data(value)
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def render(data, translate, format_datetime, format_date):
    """The sentence of ``data`` (see :func:`to_data`) for one reader.

    :param translate: ``(module, source) -> translated source`` in the reader's language
    :param format_datetime: ``naive UTC datetime -> text`` in the reader's time zone and format
    :param format_date: ``date -> text`` in the reader's format
    """
    if not data:
        return ""
    if "text" in data:
        return data["text"]
    source = data["source"]
    args = data.get("args")
    if not args:
        return translate(data["module"], source)
    if isinstance(args, dict):
        values = {name: _render_value(value, translate, format_datetime, format_date) for name, value in args.items()}
    else:
        values = tuple(_render_value(value, translate, format_datetime, format_date) for value in args)
    try:
        return translate(data["module"], source) % values
    except (KeyError, TypeError, ValueError):
        # A translation whose placeholders do not match the source's: the source still reads.
        return source % values


def _render_value(value, translate, format_datetime, format_date):
    if isinstance(value, dict):
        if "datetime" in value:
            return format_datetime(datetime.fromisoformat(value["datetime"]))
        if "date" in value:
            return format_date(date.fromisoformat(value["date"]))
        return render(value, translate, format_datetime, format_date)
    return value
