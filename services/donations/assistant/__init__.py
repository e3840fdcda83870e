"""The consultation assistant: donors' and readers' questions answered in plain words, at once,
on the Telegram bot and the "Ask us" box of the public pages; everything it cannot answer goes
to a person (the staff queue), and the answer goes back the way the question came.

    language.py  what was written: tracking codes anywhere, Latin-typed Ukrainian, lemmas, typos, places
    intents.py   what is asked (pure): concepts → one intent
    replies.py   the words of each answer (pure), Ukrainian or English
    engine.py    one question → one answer, with the facts it needs (a donation, the needs, the centres)
    models.py    questions (the staff queue) and the needs snapshot catalog publishes
    services.py  the use cases: ask, answer as staff, erase, forget old questions
    handlers.py  a question from Telegram (notifications), the needs snapshot (catalog)
    pages.py     the "Ask us" box, the asker's answer page, the staff queue

No outside AI service: pymorphy3 with its Ukrainian dictionaries and rapidfuzz, on our machine.
"""
