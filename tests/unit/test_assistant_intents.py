"""What the assistant understands is asked, against the questions people really write
(tests/assistant_questions.tsv): at least 90 % right, and every question carrying a valid
tracking code right. bench/assistant.py prints the same with the confusion between intents."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from services.donations.assistant.intents import INTENTS, understand
from services.donations.assistant.language import find_codes

QUESTIONS = Path(__file__).resolve().parents[1] / "assistant_questions.tsv"


def load() -> list[tuple[str, str]]:
    rows = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            intent, question = line.split("\t", 1)
            rows.append((intent, question))
    return rows


def test_the_set_is_big_and_covers_every_intent_and_way_of_writing():
    rows = load()
    assert len(rows) >= 200
    assert set(Counter(i for i, _ in rows)) == set(INTENTS)
    assert all(intent in INTENTS for intent, _ in rows)
    latin = [q for _, q in rows if q.isascii() and any(c.isalpha() for c in q)]
    assert len(latin) >= 40  # English and Latin-typed Ukrainian
    assert sum(1 for _, q in rows if find_codes(q).valid) >= 25


def test_intent_accuracy_is_at_least_90_percent():
    rows = load()
    wrong = [(intent, q, understand(q).intent) for intent, q in rows if understand(q).intent != intent]
    assert 1 - len(wrong) / len(rows) >= 0.90, wrong


def test_every_question_with_a_valid_code_is_understood():
    wrong = [(intent, q, understand(q).intent) for intent, q in load()
             if find_codes(q).valid and understand(q).intent != intent]
    assert wrong == []


@pytest.mark.parametrize("question,language", [
    ("Where are my books?", "en"), ("де мої книжки", "uk"), ("de moi knyzhky", "uk"), ("где мои книги", "uk"),
    ("де my books?", "uk"), ("X346-JD2E-SG9S-D", "uk"),
])
def test_the_answer_is_in_the_askers_language(question, language):
    assert understand(question).language == language


def test_a_code_alone_takes_the_language_of_the_page():
    assert understand("X346-JD2E-SG9S-D", hint="en").language == "en"
