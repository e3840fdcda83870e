"""The "Ask us" box (a plain HTML form: no JavaScript needed), the asker's page for their
question (an unguessable link, with the answer, staff's answer when it comes, and "forget
this"), and the staff queue where a person answers what the assistant handed over."""
from __future__ import annotations

import re
import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from marshmallow import Schema, ValidationError, fields, validate, validates

from services.donations import domain
from services.donations.assistant import services
from services.donations.assistant.services import MAX_ANSWER, MAX_QUESTION
from shared import auth, config
from shared.auth import public
from shared.i18n import current_language, kyiv_time, page_texts, translate_field_message
from shared.limits import limited
from shared.workspace import page_staff

bp = Blueprint("assistant_pages", __name__)  # templates: services/donations/templates/

TEXT = {
    "language": ("Мова", "Language"),
    "ask_title": ("Запитайте нас", "Ask us"),
    "ask_intro": ("Де ваші книжки, які книжки потрібні, як їх подарувати, де найближча полиця — відповім одразу, "
                  "у будь-який час. Про все інше — передам колезі.",
                  "Where your books are, which books are needed, how to give them, where the nearest shelf is — "
                  "I answer at once, at any hour. Anything else I pass to a colleague."),
    "question": ("Ваше питання", "Your question"),
    "question_hint": ("Якщо питаєте про свою пожертву, додайте код відстеження.",
                      "If you ask about your donation, add its tracking code."),
    "email": ("Електронна пошта", "E-mail"), "optional": ("необов'язково", "optional"),
    "email_hint": ("Лише якщо питання піде до колеги: надішлемо відповідь і туди. Видалимо разом із питанням.",
                   "Only used if a colleague answers: we send the answer there too, and erase it with the question."),
    "send": ("Запитати", "Ask"),
    "fix_errors": ("Будь ласка, виправте:", "Please correct:"),
    "you_asked": ("Ви запитали", "You asked"),
    "answer": ("Відповідь", "Answer"),
    "waiting": ("Ваше питання чекає на колегу. Відповідь з'явиться тут — збережіть цю сторінку.",
                "Your question is waiting for a colleague. The answer will appear here — keep this page."),
    "staff_answered": ("Відповідь від команди", "The team's answer"),
    "ask_more": ("Запитати ще", "Ask something else"),
    "forget": ("Видалити це питання", "Erase this question"),
    "forget_hint": ("Ми видалимо ваше питання, відповіді й пошту.", "We erase your question, the answers and your e-mail."),
    "forgotten": ("Питання видалено.", "The question was erased."),
    "not_found": ("Такого питання немає — можливо, його вже видалено.",
                  "There is no such question — perhaps it was erased."),
    "queue_title": ("Питання до людини", "Questions for a person"),
    "queue_intro": ("Спершу найстаріші. Відповідь піде тим самим каналом: у Telegram, на сторінку питання "
                    "й на пошту, якщо її залишили.",
                    "Oldest first. The answer goes back the way the question came: to Telegram, or to the "
                    "question's page and the e-mail if one was left."),
    "queue_empty": ("Ніхто не чекає на відповідь.", "Nobody is waiting for an answer."),
    "signed_in_as": ("Ви увійшли як", "Signed in as"),
    "asked_at": ("Запитали", "Asked"), "channel": ("Канал", "Channel"), "intent": ("Тема", "Topic"),
    "assistant_said": ("Помічник відповів", "The assistant said"),
    "your_answer": ("Ваша відповідь", "Your answer"), "reply": ("Відповісти", "Reply"),
    "answered_recently": ("Нещодавно відповіли", "Answered recently"),
    "answered_by": ("Відповів(-ла)", "Answered by"), "wiped": ("(видалено)", "(erased)"),
    "saved": ("Відповідь надіслано.", "The answer was sent."),
    "already": ("На це питання вже відповіли.", "This question was already answered."),
}
CHANNELS = {"web": ("сайт", "website"), "telegram": ("Telegram", "Telegram")}
INTENTS = {"track": ("де книжки", "where are my books"), "needs": ("що потрібно", "what is needed"),
           "give": ("як подарувати", "how to give"), "shelf": ("полиця", "a shelf"),
           "preferences": ("як писати", "how we write"), "human": ("людина", "a person"),
           "other": ("інше", "other"), "greeting": ("привітання", "greeting"), "thanks": ("подяка", "thanks"),
           "services": ("послуги ТСЦ", "centre services"), "rude": ("грубість", "rude")}
STAFF_FORM = "questions"


class QuestionIn(Schema):
    question = fields.String(required=True, validate=validate.Length(min=1, max=MAX_QUESTION))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))

    @validates("question")
    def _question(self, value, **_):
        if not value.strip():
            raise ValidationError("Field may not be null.")

    @validates("email")
    def _email(self, value, **_):
        if value and value.strip():
            try:
                domain.normalise_email(value.strip())
            except ValueError as exc:
                raise ValidationError(str(exc)) from None


_OWN_URL = re.compile(r"https?://[^\s<]+")


def linked(text: str | None) -> Markup:
    """The answer's words with our own addresses as links (nothing else becomes a link)."""
    if not text:
        return Markup("")
    bases = {config.public_base_url(s) for s in config.SERVICES}
    out, last = [], 0
    for match in _OWN_URL.finditer(text):
        url = match.group().rstrip(".,;:)")
        out.append(escape(text[last:match.start()]))
        if any(url == b or url.startswith(b + "/") for b in bases):
            out.append(Markup(f'<a href="{escape(url)}">{escape(url)}</a>'))
        else:
            out.append(escape(url))
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _render_ask(form: dict, errors: dict, status: int = 200):
    lang = current_language()
    return render_template("ask.html", lang=lang, tx=page_texts(TEXT, lang), form=form, errors=errors,
                           question=None), status


@bp.get("/ask")
@public
def ask_form():
    return _render_ask({}, {})


@bp.post("/ask")
@limited("questions")
@public
def ask():
    lang = current_language()
    if request.form.get("website"):  # a field people never see: only robots fill it in
        return redirect(url_for("assistant_pages.ask_form", lang=lang), 303)
    try:
        data = QuestionIn().load({"question": request.form.get("question", ""),
                                  "email": (request.form.get("email") or "").strip() or None})
    except ValidationError as exc:
        errors = {field: translate_field_message(messages[0]) for field, messages in exc.messages.items()}
        return _render_ask(request.form, errors, 422)
    email = domain.normalise_email(data["email"]) if data["email"] else None
    asked = services.ask_on_web(data["question"], email=email, language=lang)
    return redirect(url_for("assistant_pages.question_page", token=asked.token, lang=lang), 303)


@bp.get("/ask/<string:token>")
@limited("tracking")
@public
def question_page(token: str):
    lang = current_language()
    tx = page_texts(TEXT, lang)
    try:
        question = services.by_token(token)
    except services.NotFound:
        return render_template("ask.html", lang=lang, tx=tx, form={}, errors={}, question=None,
                               message=tx["not_found"]), 404
    return render_template("ask.html", lang=lang, tx=tx, form={}, errors={}, question=question, token=token,
                           linked=linked, message=tx["forgotten"] if request.args.get("forgotten") else None)


@bp.post("/ask/<string:token>/forget")
@limited("donor_actions")
@public
def forget_question(token: str):
    try:
        services.forget_by_token(token)
    except services.NotFound:
        abort(404)
    return redirect(url_for("assistant_pages.question_page", token=token, lang=current_language(), forgotten=1), 303)


# --- the staff queue ---------------------------------------------------------------------------------

def _staff():
    """Signed-out visitors go to the sign-in page (on catalog) and come back; only logistics."""
    return page_staff("logistics")


@bp.get("/staff/questions")
@public  # guarded inside: signed-out visitors are sent to the sign-in page
def staff_queue():
    staff = _staff()
    lang = current_language()
    waiting, answered = services.queue()
    status = {"saved": "saved", "already": "already"}.get(request.args.get("done", ""))
    return render_template("questions.html", lang=lang, tx=page_texts(TEXT, lang), staff=staff, waiting=waiting,
                           answered=answered, csrf=auth.form_token(staff, STAFF_FORM), local=kyiv_time,
                           linked=linked, max_answer=MAX_ANSWER, message=page_texts(TEXT, lang)[status] if status else None,
                           channel=lambda c: CHANNELS.get(c, (c, c))[0 if lang == "uk" else 1],
                           intent=lambda i: INTENTS.get(i, (i, i))[0 if lang == "uk" else 1])


@bp.post("/staff/questions/<uuid:question_id>")
@public  # guarded inside (cookie + CSRF)
def staff_answer(question_id: uuid.UUID):
    staff = _staff()
    if not auth.form_token_valid(staff, STAFF_FORM, request.form.get("csrf")):
        abort(403)
    lang = current_language()
    try:
        services.answer_as_staff(question_id, request.form.get("answer", ""), staff_name=staff.name)
    except services.NotFound:
        abort(404)
    except ValueError:
        abort(422)
    except services.AlreadyAnswered:
        return redirect(url_for("assistant_pages.staff_queue", lang=lang, done="already"), 303)
    return redirect(url_for("assistant_pages.staff_queue", lang=lang, done="saved"), 303)
