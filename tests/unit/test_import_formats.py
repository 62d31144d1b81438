"""Vendor transcript files read from their real published examples (tests/fixtures/transcripts,
sources and licences in each folder's SOURCE.md); expected values were read by hand from the
files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from qa_pipeline.batch.imports import AgentChoice, ImportOptions, import_outcome, transcript_of
from qa_pipeline.errors import CallError
from qa_pipeline.ingest.transcripts.base import SplitBy
from qa_pipeline.ingest.transcripts.registry import ImportFile, ImportFormat, detect, read_call
from qa_pipeline.records import CallMeta, Layout, Speaker, Status
from tests.support.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"


def fixture(name: str) -> Path:
    return FIXTURES / name


def words_of(path: Path, fmt: ImportFormat = ImportFormat.AUTO) -> list[tuple]:
    call = read_call(path, fmt)
    assert call.parsed is not None
    return [(w.text, round(w.start_s, 4), round(w.end_s, 4), w.label) for w in call.parsed.words]


def test_transcribe_speaker_labels_times_are_strings_punctuation_joins_its_word() -> None:
    call = read_call(fixture("aws_transcribe/example_diarization.json"))
    assert call.format is ImportFormat.AWS_TRANSCRIBE and call.parsed is not None
    assert call.parsed.split_by is SplitBy.SPEAKER and call.parsed.labels == ("spk_0", "spk_1")
    words = words_of(fixture("aws_transcribe/example_diarization.json"))
    assert len(words) == 10  # 10 pronunciation items; the two "." items joined their words
    assert words[0] == ("I've", 4.87, 5.02, "spk_0")
    assert words[6] == ("hour.", 6.26, 6.88, "spk_0")
    assert words[7] == ("Sorry", 8.49, 8.88, "spk_1")
    assert words[9] == ("that.", 9.05, 9.24, "spk_1")
    assert call.parsed.words[8].probability == pytest.approx(0.902)


def test_transcribe_old_files_name_speakers_only_in_segments(tmp_path: Path) -> None:
    doc = json.loads(fixture("aws_transcribe/example_diarization.json").read_text())
    for item in doc["results"]["items"]:
        item.pop("speaker_label")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    assert [w[3] for w in words_of(path)] == ["spk_0"] * 7 + ["spk_1"] * 3


def test_transcribe_channel_labels() -> None:
    call = read_call(fixture("aws_transcribe/example_channel_id.json"))
    assert call.parsed is not None and call.parsed.split_by is SplitBy.CHANNEL
    assert call.source.channel_count == 2
    words = words_of(fixture("aws_transcribe/example_channel_id.json"))
    assert words[0] == ("I've", 4.86, 5.01, "ch_0")
    assert words[6] == ("hour.", 6.25, 6.87, "ch_0")
    assert words[7:] == [
        ("Sorry", 8.5, 8.89, "ch_1"),
        ("about", 8.89, 9.06, "ch_1"),
        ("that.", 9.06, 9.25, "ch_1"),
    ]


def test_contact_lens_roles_from_participants_and_word_times_estimated() -> None:
    call = read_call(fixture("contact_lens/example_contact_lens_postcall.json"))
    assert call.format is ImportFormat.CONTACT_LENS and call.parsed is not None
    assert call.parsed.split_by is SplitBy.ROLE
    words = words_of(fixture("contact_lens/example_contact_lens_postcall.json"))
    assert words[0] == ("Mhm.", 2.54, 2.975, "agent")
    assert words[1] == ("Mhm.", 2.58, 3.095, "customer")
    # "Okay? Hoping", 7897-11267 ms: 5 and 6 characters share the 3.37 s.
    assert words[2] == ("Okay?", 7.897, round(7.897 + 3.37 * 5 / 11, 4), "agent")
    assert words[3][2] == 11.267
    assert call.parsed.duration_s == pytest.approx(86.727)
    assert any("estimated" in note for note in call.parsed.notes)


def test_call_analytics_items_in_milliseconds_and_redacted_words() -> None:
    words = words_of(fixture("contact_lens/example_tca_postcall_trimmed.json"))
    assert words[0] == ("Hello", 0.44, 0.96, "agent")
    assert ("bank.", 2.16, 2.55, "agent") in words
    assert ("[PII]", 2.82, 3.27, "agent") in words
    assert ("Hi", 6.34, 6.76, "customer") in words
    assert ("Okay.", 14.84, 15.05, "agent") in words  # inside the customer's turn: overlap kept


def test_deepgram_per_word_speakers() -> None:
    call = read_call(fixture("deepgram/example_diarize_utterances_trimmed.json"))
    assert call.format is ImportFormat.DEEPGRAM and call.parsed is not None
    assert call.parsed.split_by is SplitBy.SPEAKER and call.parsed.labels == ("0", "1")
    words = words_of(fixture("deepgram/example_diarize_utterances_trimmed.json"))
    assert len(words) == 64
    assert words[0] == ("And,", 3.04, 3.54, "0")
    assert words[1] == ("Jessica,", 4.64, 5.14, "0")
    assert words[41] == ("Drew,", 17.66, 17.9, "1")
    assert words[-1] == ("open,", 22.86, 23.36, "1")
    assert call.parsed.words[0].probability == pytest.approx(0.7863548)


def test_deepgram_speaker_from_utterances_when_words_lack_it(tmp_path: Path) -> None:
    doc = json.loads(fixture("deepgram/example_diarize_utterances_trimmed.json").read_text())
    for word in doc["results"]["channels"][0]["alternatives"][0]["words"]:
        word.pop("speaker")
    path = tmp_path / "dg.json"
    path.write_text(json.dumps(doc))
    # The first utterance (3.04-3.54 s, speaker 0) gives the first word its speaker.
    assert words_of(path)[0] == ("And,", 3.04, 3.54, "0")


def test_deepgram_multichannel() -> None:
    call = read_call(fixture("deepgram/example_multichannel_diarize_constructed.json"))
    assert call.parsed is not None and call.parsed.split_by is SplitBy.CHANNEL
    words = words_of(fixture("deepgram/example_multichannel_diarize_constructed.json"))
    assert words[0] == ("Thank", 0.64, 0.8, "ch_0")
    assert ("Hi,", 3.46, 3.66, "ch_1") in words
    assert call.parsed.labels == ("ch_0", "ch_1")


def test_azure_ticks_speakers_and_nbest_first() -> None:
    call = read_call(fixture("azure/example_ingestion_test_diarized.json"))
    assert call.format is ImportFormat.AZURE and call.parsed is not None
    assert call.parsed.split_by is SplitBy.SPEAKER and call.parsed.labels == ("1", "2")
    words = words_of(fixture("azure/example_ingestion_test_diarized.json"))
    assert words[0] == ("run", 0.04, 0.52, "1")  # 400000 + 4800000 ticks of 100 ns
    assert words[4] == ("zero", 2.28, 3.04, "2")
    assert words[-1] == ("nine", 6.9, 7.46, "1")
    assert call.parsed.duration_s == pytest.approx(7.48)  # durationTicks


def test_azure_stereo_channels() -> None:
    words = words_of(fixture("azure/example_stereo_constructed.json"))
    assert words[0] == ("thank", 0.6, 0.84, "ch_0")
    assert ("hi", 2.72, 3.0, "ch_1") in words


def test_whisperx_fills_missing_times_speakers_and_scores() -> None:
    call = read_call(fixture("whisperx/example_diarized_constructed.json"))
    assert call.format is ImportFormat.WHISPERX and call.parsed is not None
    words = {w.text: w for w in call.parsed.words}
    assert (words["Thanks"].start_s, words["Thanks"].end_s) == (0.631, 0.912)
    assert words["help?"].label == "SPEAKER_00"  # no speaker of its own: its segment's
    untimed = words["4417"]  # no times, score or speaker: between "is" and "and"
    assert (untimed.start_s, untimed.end_s, untimed.label) == (5.36, 6.041, "SPEAKER_01")
    scores = [0.822, 0.975, 0.941, 0.958, 0.884, 0.803, 0.996, 0.917, 0.934, 0.887]
    assert untimed.probability == pytest.approx(sum(scores) / len(scores))
    assert len(call.parsed.notes) == 3


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("aws_transcribe/example_diarization.json", ImportFormat.AWS_TRANSCRIBE),
        ("aws_transcribe/example_channel_id.json", ImportFormat.AWS_TRANSCRIBE),
        ("contact_lens/example_contact_lens_postcall.json", ImportFormat.CONTACT_LENS),
        ("contact_lens/example_tca_postcall_trimmed.json", ImportFormat.CONTACT_LENS),
        ("deepgram/example_diarize_utterances_trimmed.json", ImportFormat.DEEPGRAM),
        ("deepgram/example_utterances_no_diarize_trimmed.json", ImportFormat.DEEPGRAM),
        ("azure/example_docs_displaywords_nbest.json", ImportFormat.AZURE),
        ("azure/example_stereo_constructed.json", ImportFormat.AZURE),
        ("whisperx/example_aligned_no_diarize.json", ImportFormat.WHISPERX),
        ("whisperx/example_diarized_constructed.json", ImportFormat.WHISPERX),
    ],
)
def test_auto_detection_by_shape(name: str, fmt: ImportFormat) -> None:
    assert detect(json.loads(fixture(name).read_text())) is fmt


def test_native_json_is_detected_as_native() -> None:
    doc = json.loads((ROOT / "samples" / "truth" / "call_01_good_billing.json").read_text())
    assert detect(doc) is ImportFormat.NATIVE


def test_every_word_has_a_speaker_and_times_run_forwards() -> None:
    for path in sorted(FIXTURES.rglob("*.json")):
        try:
            imported = read_call(path)
        except CallError:
            continue  # the undiarised examples: refused, see test_undiarised_files_are_refused
        parsed = imported.parsed
        assert parsed is not None
        assert all(w.label and 0 <= w.start_s <= w.end_s for w in parsed.words), path
        starts = [w.start_s for w in parsed.words]
        assert starts == sorted(starts), path
        assert all(0 <= w.probability <= 1 for w in parsed.words), path


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("deepgram/example_utterances_no_diarize_trimmed.json", "words[0].speaker"),
        ("azure/example_docs_displaywords_nbest.json", "recognizedPhrases[0].speaker"),
        ("whisperx/example_aligned_no_diarize.json", "segments[].speaker"),
    ],
)
def test_undiarised_files_are_refused(name: str, field: str) -> None:
    with pytest.raises(CallError) as caught:
        read_call(fixture(name))
    message = str(caught.value)
    assert field in message and "Fix:" in message and "\n" not in message


def test_roles_detector_options_and_manifest() -> None:
    imported = read_call(fixture("aws_transcribe/example_channel_id.json"))
    meta = CallMeta(call_id="c1")
    forced = ImportOptions(agent=AgentChoice(channel=1))
    transcript, layout, diarisation, roles = transcript_of(imported, meta, forced)
    assert layout is Layout.AGENT_ON_1 and diarisation is not None
    assert {seg.label for seg in diarisation.segments} == {"ch_0", "ch_1"}
    assert (roles.agent_label, roles.method, roles.confidence) == ("ch_1", "option", 1.0)
    assert {w.text: w.speaker for w in transcript.words}["Sorry"] is Speaker.AGENT
    # The manifest's row for the call wins over the option.
    manifest_meta = CallMeta(call_id="c1", layout=Layout.AGENT_ON_0)
    _, layout, _, roles = transcript_of(imported, manifest_meta, forced)
    assert (layout, roles.method) == (Layout.AGENT_ON_0, "manifest")
    # No choice: the detector decides and its confidence is kept (a coin toss here: flagged).
    _, _, _, roles = transcript_of(imported, meta)
    assert roles.method == "phrases" and 0.5 <= roles.confidence <= 1
    assert roles.needs_review == (roles.confidence < 0.75)


def test_detector_picks_the_agent_of_a_diarised_call() -> None:
    imported = read_call(fixture("whisperx/example_diarized_constructed.json"))
    transcript, layout, diarisation, roles = transcript_of(imported, CallMeta(call_id="w"))
    assert roles.agent_label == "SPEAKER_00" and roles.method == "phrases"
    assert roles.confidence >= 0.75 and not roles.needs_review
    assert layout is Layout.MONO and diarisation is not None
    assert transcript.turns[0].speaker is Speaker.AGENT
    assert transcript.turns[0].text.startswith("Thanks for calling")
    assert transcript.engine == "import:whisperx"


def test_agent_speaker_by_label_and_by_order() -> None:
    imported = read_call(fixture("deepgram/example_diarize_utterances_trimmed.json"))
    meta = CallMeta(call_id="d")
    _, _, _, by_label = transcript_of(imported, meta, ImportOptions(agent=AgentChoice(speaker="1")))
    _, _, _, second = transcript_of(
        imported, meta, ImportOptions(agent=AgentChoice(speaker="second"))
    )
    assert by_label.agent_label == second.agent_label == "1"
    with pytest.raises(CallError, match="--agent-speaker: names 'spk_9'"):
        transcript_of(imported, meta, ImportOptions(agent=AgentChoice(speaker="spk_9")))


def test_a_bad_file_is_a_failed_outcome_with_its_reason(tmp_path: Path) -> None:
    doc = json.loads(fixture("aws_transcribe/example_diarization.json").read_text())
    doc["results"]["items"][2]["start_time"] = "NaN"
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(doc))
    outcome, fmt = import_outcome(ImportFile(path, "nan"))
    assert outcome.status is Status.FAILED and outcome.error_code == "bad_transcript"
    assert fmt is None and outcome.meta.call_id == "nan"
    assert "aws-transcribe file, field results.items[2].start_time" in (outcome.error or "")


def test_manifest_names_the_call_and_its_agent(tmp_path: Path) -> None:
    from qa_pipeline.batch.run import import_transcripts
    from qa_pipeline.ingest.manifest import load_manifest
    from qa_pipeline.store import Store

    inbox = tmp_path / "inbox"
    (inbox / "stereo").mkdir(parents=True)
    (inbox / "stereo" / "t1.json").write_bytes(
        fixture("aws_transcribe/example_channel_id.json").read_bytes()
    )
    (inbox / "dg.json").write_bytes(
        fixture("deepgram/example_diarize_utterances_trimmed.json").read_bytes()
    )
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "call_id,file,agent_id,team,agent_channel,agent_speaker\n"
        "c-77,stereo/t1.json,A7,billing,1,\n"
        "dg,,A8,sales,,second\n"
    )
    with Store(tmp_path / "qa.duckdb") as store:
        report = import_transcripts([inbox], store, load_manifest(manifest))
        assert report.formats == {"c-77": "aws-transcribe", "dg": "deepgram"}
        call = store.query("call_row", call_id="c-77").row(0, named=True)
        assert (call["agent_id"], call["layout"], call["role_method"]) == (
            "A7",
            "agent_1",
            "manifest",
        )
        turns = store.query("call_turns", call_id="c-77")
        assert turns.filter(pl.col("speaker") == "agent")["text"].to_list() == ["Sorry about that."]
        dg = store.query("call_row", call_id="dg").row(0, named=True)
        assert (dg["team"], dg["role_method"], dg["role_confidence"]) == ("sales", "manifest", 1.0)
        segments = store.query("call_segments", call_id="dg")
        assert set(segments.filter(pl.col("role") == "agent")["speaker_label"]) == {"1"}
