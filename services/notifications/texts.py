"""What notifications says, Ukrainian first: its keyed messages, registered in the shared table.
A page's own words are beside the page (`TEXT`); the letters are Jinja templates
(`templates/messages/<stage>.<lang>.txt`)."""
from __future__ import annotations

from shared import i18n

TELEGRAM_WELCOME = "notifications.telegram_welcome"

i18n.register({
    "notifications.link_not_valid": ("Посилання недійсне або ваші дані вже видалено.",
                                     "The link is not valid, or your data has been erased."),
    TELEGRAM_WELCOME: ("Готово! Тепер ми писатимемо вам про ваші книжки сюди, у Telegram.",
                       "Done! From now on we will write to you about your books here, in Telegram."),
})
