"""Turns split into sentences: a partition of each turn's words, on punctuated and raw ASR text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qa_pipeline.records import Speaker, Turn, Word
from qa_pipeline.scoring.sentences import SentenceOptions, split_sentences, split_turn

_TOKENS = [
    "hello",
    "hi",
    "thank",
    "you",
    "for",
    "calling",
    "acme",
    "my",
    "name",
    "is",
    "sam",
    "how",
    "can",
    "i",
    "help",
    "today",
    "sorry",
    "about",
    "that",
    "the",
    "delivery",
    "was",
    "late",
    "okay",
    "right",
    "so",
    "it's",
    "not",
    "working",
    "i",
    "see",
    "hold",
    "please",
    "um",
]
_PUNCT = ("", "", "", ",", ".", "?", "!")


@st.composite
def turns(draw) -> Turn:
    count = draw(st.integers(1, 60))
    words, cursor = [], draw(st.floats(0, 100, allow_nan=False))
    for _ in range(count):
        cursor += draw(st.sampled_from((0.0, 0.05, 0.1, 0.3, 0.6, 1.2)))
        length = draw(st.floats(0.05, 1.0, allow_nan=False))
        text = draw(st.sampled_from(_TOKENS)) + draw(st.sampled_from(_PUNCT))
        words.append(Word(cursor, cursor + length, text, 0.9, Speaker.AGENT))
        cursor += length
    return Turn(
        3,
        Speaker.AGENT,
        words[0].start_s,
        max(w.end_s for w in words),
        " ".join(w.text for w in words),
        0.9,
        tuple(words),
    )


@settings(max_examples=300, deadline=None)
@given(turns(), st.integers(1, 20))
def test_sentences_partition_the_turn(turn: Turn, max_words: int) -> None:
    options = SentenceOptions(max_words=max_words, max_words_unpunctuated=max_words)
    sentences = split_turn(turn, options)
    assert sentences, "a turn with words has at least one sentence"
    assert sentences[0].first_word == 0 and sentences[-1].end_word == len(turn.words)
    for n, s in enumerate(sentences):
        assert s.sentence_index == n and s.turn_index == turn.index
        assert s.speaker is turn.speaker
        # Longer only where no clause boundary is in sight (then up to twice the limit).
        assert 0 < s.end_word - s.first_word <= 2 * max_words
        if n:
            assert s.first_word == sentences[n - 1].end_word
            assert s.start_s >= sentences[n - 1].start_s
        assert turn.start_s <= s.start_s <= s.end_s <= turn.end_s
        assert s.start_s == turn.words[s.first_word].start_s
        assert s.text == " ".join(w.text for w in turn.words[s.first_word : s.end_word])
    assert " ".join(s.text for s in sentences) == turn.text


@settings(max_examples=200, deadline=None)
@given(turns())
def test_a_full_stop_always_ends_a_sentence(turn: Turn) -> None:
    ends = {s.end_word for s in split_turn(turn)}
    for i, word in enumerate(turn.words):
        if word.text.endswith((".", "?", "!")):
            assert i + 1 in ends


def _turn(text: str, gaps_s: dict[int, float] | None = None) -> Turn:
    words, cursor = [], 0.0
    for i, token in enumerate(text.split()):
        cursor += (gaps_s or {}).get(i, 0.0)
        words.append(Word(cursor, cursor + 0.3, token, 1.0, Speaker.AGENT))
        cursor += 0.3
    return Turn(0, Speaker.AGENT, 0.0, cursor, text, 1.0, tuple(words))


def test_punctuated_text_splits_at_full_stops_and_questions() -> None:
    turn = _turn("Thanks for calling Acme. My name is Sam. How can I help?")
    assert [s.text for s in split_turn(turn)] == [
        "Thanks for calling Acme.",
        "My name is Sam.",
        "How can I help?",
    ]


def test_a_short_sentence_keeps_its_comma() -> None:
    turn = _turn("Sorry, could you say that again?")
    assert [s.text for s in split_turn(turn)] == ["Sorry, could you say that again?"]


def test_asr_text_splits_at_pauses() -> None:
    turn = _turn("hello acme energy how can i help", gaps_s={3: 0.8})
    assert [s.text for s in split_turn(turn)] == ["hello acme energy", "how can i help"]


def test_asr_text_in_one_breath_splits_before_clause_openers() -> None:
    turn = _turn("hi you're through to acme energy this is dave what can i do for you today")
    texts = [s.text for s in split_turn(turn)]
    assert texts == [
        "hi you're through to acme energy",
        "this is dave",
        "what can i do for you today",
    ]


def test_asr_text_is_not_cut_after_a_word_a_clause_cannot_end_on() -> None:
    """ "would you mind if | i put you on hold" would leave the question in neither piece."""
    turn = _turn("okay would you mind if i put you on hold for a minute while i check")
    texts = [s.text for s in split_turn(turn)]
    assert all(not t.endswith((" if", " mind", " you", " a", " the")) for t in texts), texts
    assert any("would you mind if i put" in t for t in texts), texts


def test_a_turn_without_words_is_read_from_its_text() -> None:
    turn = Turn(2, Speaker.CUSTOMER, 10.0, 13.0, "It broke. Again!", 0.8)
    sentences = split_sentences([turn])
    assert [(s.text, s.start_s, s.end_s) for s in sentences] == [
        ("It broke.", 10.0, 12.0),
        ("Again!", 12.0, 13.0),
    ]
