"""Run reasons as messages: stored as data, written out in each reader's language and formats (no database)."""

from datetime import date, datetime

from engine import load

messages = load("messages")


class Lazy:
    """The shape of Odoo's ``_lt(source, **values)``: the engine reads nothing else of it."""

    def __init__(self, source, *args, **kwargs):
        self._source = source
        self._args = args or kwargs
        self._module = "stage_automation"


FRENCH = {
    "Waiting until %(moment)s.": "En attente jusqu'au %(moment)s.",
    "Failed: %(message)s": "Échec : %(message)s",
    "the client did not answer": "le client n'a pas répondu",
}


def french(module, source):
    assert module == "stage_automation"
    return FRENCH.get(source, source)


def english(module, source):
    return source


def render(data, translate):
    return messages.render(
        data, translate, lambda moment: f"<{moment:%Y-%m-%d %H:%M} UTC>", lambda day: f"<{day:%d/%m/%Y}>")


def test_a_message_is_stored_as_its_source_module_and_values():
    data = messages.to_data(Lazy("Waiting until %(moment)s.", moment=datetime(2026, 3, 4, 9, 30)))
    assert data == {"module": "stage_automation", "source": "Waiting until %(moment)s.",
                    "args": {"moment": {"datetime": "2026-03-04T09:30:00"}}}


def test_each_reader_reads_it_in_their_language_with_their_date_format():
    data = messages.to_data(Lazy("Waiting until %(moment)s.", moment=datetime(2026, 3, 4, 9, 30)))
    assert render(data, french) == "En attente jusqu'au <2026-03-04 09:30 UTC>."
    assert render(data, english) == "Waiting until <2026-03-04 09:30 UTC>."


def test_nested_messages_dates_and_numbers_keep_their_kind():
    inner = Lazy("the client did not answer")
    data = messages.to_data(Lazy("Failed: %(message)s", message=inner))
    assert render(data, french) == "Échec : le client n'a pas répondu"
    data = messages.to_data(Lazy("%(day)s, %(count)s times, %(ratio)s", day=date(2026, 3, 4), count=3, ratio=0.5))
    assert render(data, english) == "<04/03/2026>, 3 times, 0.5"


def test_positional_values_are_kept_in_order():
    data = messages.to_data(Lazy("%s then %s", "first", "second"))
    assert data["args"] == ["first", "second"]
    assert render(data, english) == "first then second"


def test_text_stays_text_and_empty_is_nothing():
    assert messages.to_data("Sent by the other system.") == {"text": "Sent by the other system."}
    assert render({"text": "Écrit avant les messages."}, english) == "Écrit avant les messages."
    assert messages.to_data(None) is None
    assert messages.to_data("") is None
    assert render(None, english) == ""


def test_other_values_are_kept_as_their_text():
    data = messages.to_data(Lazy("Error: %(error)s", error=ValueError("bad value")))
    assert render(data, english) == "Error: bad value"


def test_a_translation_with_wrong_placeholders_falls_back_to_the_source():
    data = messages.to_data(Lazy("Waiting until %(moment)s.", moment=datetime(2026, 3, 4, 9, 30)))
    broken = {"Waiting until %(moment)s.": "En attente jusqu'au %(instant)s."}
    assert render(data, lambda module, source: broken.get(source, source)) == "Waiting until <2026-03-04 09:30 UTC>."


def test_a_message_without_values_is_translated_as_is():
    assert render(messages.to_data(Lazy("the client did not answer")), french) == "le client n'a pas répondu"
