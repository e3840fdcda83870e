"""Donor messages from Jinja templates: Ukrainian first, English, and Latin letters (KMU-55)
for donors who asked for them. Every message carries the tracking link."""
from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from services.notifications.sms_segments import plain_punctuation
from shared.i18n import books, latin

_env = Environment(loader=PackageLoader("services.notifications", "templates/messages"),
                   autoescape=select_autoescape(enabled_extensions=()), undefined=StrictUndefined,
                   trim_blocks=True, keep_trailing_newline=False)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str


def render(stage: str, lang: str, *, latin_script: bool = False, **context) -> Rendered:
    template = _env.get_template(f"{stage}.{lang}.txt")
    module = template.make_module({**context, "books": lambda n: books(n, lang)})
    text = str(module).strip()
    subject = module.subject
    if latin_script and lang == "uk":
        # Latin letters are mostly for SMS: keep the whole text in the cheap GSM-7 alphabet.
        text, subject = plain_punctuation(latin(text)), plain_punctuation(latin(subject))
    if context.get("tracking_url") and context["tracking_url"] not in text:
        raise ValueError(f"template {stage}.{lang} lost the tracking link")
    return Rendered(subject=subject, text=text)
