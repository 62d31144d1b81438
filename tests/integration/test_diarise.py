"""Mono calls: DER, the offline embedding diariser on real mixes, roles, and the CLI path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from qa_pipeline.batch.options import PipelineOptions
from qa_pipeline.batch.run import run_batch
from qa_pipeline.ingest import audio
from qa_pipeline.ingest.options import SAMPLE_RATE_HZ
from qa_pipeline.records import Speaker, SpeakerSegment, Status, Word
from qa_pipeline.resources import pyannote_sample
from qa_pipeline.speech.der import diarisation_error, read_rttm, reference_from_channels
from qa_pipeline.speech.diarise.backends import get_diariser, speakers_of
from qa_pipeline.speech.diarise.options import (
    PIPELINE_ENV,
    Backend,
    DiariseOptions,
    PyannoteOptions,
)
from qa_pipeline.speech.diarise.pyannote import PyannoteDiariser
from qa_pipeline.speech.roles import assign_roles, forced_roles
from qa_pipeline.store import Store
from tests.support.audio_files import write_audio
from tests.support.paths import ROOT, SAMPLES

CLI = [sys.executable, "-m", "qa_pipeline"]


def _seg(start_s: float, end_s: float, label: str) -> SpeakerSegment:
    return SpeakerSegment(start_s, end_s, label)


def test_der_counts_overlap_and_maps_speakers() -> None:
    reference = [_seg(0, 10, "A"), _seg(8, 12, "B")]  # 2 s of overlap: 14 s of speech
    # Right speakers under other names, overlap missed, 1 s of noise called speech.
    hypothesis = [_seg(0, 10, "x"), _seg(10, 12, "y"), _seg(13, 14, "y")]
    error = diarisation_error(reference, hypothesis)
    assert error.total_s == pytest.approx(14.0)
    assert error.missed_s == pytest.approx(2.0)
    assert error.false_alarm_s == pytest.approx(1.0)
    assert error.confusion_s == pytest.approx(0.0)
    assert dict(error.mapping) == {"x": "A", "y": "B"}
    swapped = diarisation_error(reference, [_seg(0, 10, "B2"), _seg(10, 12, "A2")])
    assert swapped.confusion_s == pytest.approx(0.0)
    wrong = diarisation_error(reference, [_seg(0, 12, "x")])
    assert wrong.confusion_s == pytest.approx(2.0) and wrong.missed_s == pytest.approx(2.0)


def test_der_agrees_with_pyannote_metrics() -> None:
    metrics = pytest.importorskip("pyannote.metrics.diarization")
    core = pytest.importorskip("pyannote.core")
    _wav, rttm = pyannote_sample()
    reference = read_rttm(rttm)
    hypothesis = [
        _seg(6.5, 14.3, "a"),
        _seg(14.3, 18.0, "b"),
        _seg(18.0, 21.6, "a"),
        _seg(21.6, 28.0, "b"),
        _seg(28.0, 30.0, "a"),
        _seg(10.0, 11.0, "b"),
    ]

    def annotation(segments):
        result = core.Annotation()
        for i, s in enumerate(segments):
            result[core.Segment(s.start_s, s.end_s), i] = s.label
        return result

    theirs = metrics.DiarizationErrorRate(collar=0.0, skip_overlap=False)(
        annotation(reference), annotation(hypothesis)
    )
    assert diarisation_error(reference, hypothesis).rate == pytest.approx(theirs, abs=1e-6)


@pytest.fixture(scope="module")
def mixes(transcriber) -> list[tuple[str, object, tuple[SpeakerSegment, ...], list[Word]]]:
    """Mono mixes of the stereo sample calls, their truth by construction, and ASR words."""
    found = []
    for path in sorted(SAMPLES.glob("*.wav")):
        decoded = audio.decode(path)
        samples = audio.mix_down(decoded)
        truth = reference_from_channels(decoded.channels, ["agent", "customer"])
        found.append((path.stem, samples, truth, transcriber.words(samples, Speaker.AGENT)))
    return found


def test_embedding_diariser_finds_both_speakers_in_mono_mixes(mixes) -> None:
    diariser = get_diariser(Backend.EMBEDDING, DiariseOptions(diarizer=Backend.EMBEDDING))
    totals = [0.0, 0.0]
    for call_id, samples, truth, words in mixes:
        result = diariser.diarise(samples, words)
        assert len(result.labels) == 2, call_id
        assert all(s.end_s > s.start_s >= 0 for s in result.segments)
        error = diarisation_error(truth, result.segments)
        totals[0] += error.missed_s + error.false_alarm_s + error.confusion_s
        totals[1] += error.total_s
        # Every word gets a speaker, and the agent is found from what was said.
        labels = speakers_of(words, result.segments)
        roles = assign_roles(words, labels)
        assert not roles.needs_review, (call_id, roles.reason)
        assert dict(error.mapping)[roles.agent_label] == "agent", (call_id, roles.reason)
    # The bound for the synthetic mixes, as one corpus (DER's usual pooling).
    assert totals[0] / totals[1] <= 0.05


def _words(*lines: tuple[float, str]) -> list[Word]:
    words = []
    for start_s, text in lines:
        for i, token in enumerate(text.split()):
            words.append(
                Word(start_s + 0.3 * i, start_s + 0.3 * i + 0.25, token, 0.9, Speaker.AGENT)
            )
    return words


def test_roles_from_what_is_said_not_who_speaks_first() -> None:
    words = _words(
        (0.0, "hello"),
        (1.0, "thank you for calling harbor bank how can I help you"),
        (5.0, "I'm calling about my card"),
        (8.0, "is there anything else I can help with"),
    )
    labels = ["S0"] + ["S1"] * 11 + ["S0"] * 5 + ["S1"] * 8
    roles = assign_roles(words, labels)
    assert roles.agent_label == "S1" and roles.confidence > 0.9 and not roles.needs_review
    assert "thank you for calling" in roles.reason


def test_roles_without_evidence_are_flagged_for_review() -> None:
    words = _words((0.0, "hello"), (1.0, "hello"), (2.0, "oh hi"), (3.0, "hi there"))
    labels = ["S0", "S1", "S0", "S0", "S1", "S1"]
    roles = assign_roles(words, labels)
    assert roles.needs_review and roles.confidence < 0.75


def test_manifest_forces_the_agent() -> None:
    labels = ["S1", "S1", "S0"]
    assert forced_roles(labels, agent_speaks_first=True).agent_label == "S1"
    forced = forced_roles(labels, agent_speaks_first=False)
    assert forced.agent_label == "S0" and forced.method == "manifest"


def test_mono_call_runs_through_the_cli_with_agent_and_customer_turns(tmp_path: Path) -> None:
    decoded = audio.decode(SAMPLES / "call_01_good_billing.wav")
    calls = tmp_path / "calls"
    calls.mkdir()
    write_audio(calls / "mono_call.wav", audio.mix_down(decoded), SAMPLE_RATE_HZ)
    other = audio.decode(SAMPLES / "call_06_apology_done_well.wav")
    write_audio(calls / "forced.wav", audio.mix_down(other), SAMPLE_RATE_HZ)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "call_id,file,agent_channel,agent_speaker\n"
        "mono_call,mono_call.wav,mono,\n"
        "forced,forced.wav,mono,second\n"
    )
    db = tmp_path / "qa.duckdb"
    result = subprocess.run(
        [*CLI, "run", str(calls), "--db", str(db), "--manifest", str(manifest)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "select call_id, status, diarizer, role_method, role_confidence, needs_review "
                "from calls"
            ).fetchall()
        }
        first_agent_turn = con.execute(
            "select text from turns where call_id = 'mono_call' and speaker = 'agent' "
            "order by start_s limit 1"
        ).fetchone()[0]
        speakers = dict(
            con.execute(
                "select call_id, count(distinct speaker) from turns group by call_id"
            ).fetchall()
        )
        segments = con.execute(
            "select count(*) from speaker_segments where call_id = 'mono_call'"
        ).fetchone()[0]
        mono_score = con.execute(
            "select score from call_scores where call_id = 'mono_call'"
        ).fetchone()[0]
    assert rows["mono_call"][:3] == ("scored", "embedding", "phrases")
    assert rows["mono_call"][3] > 0.9 and rows["mono_call"][4] is False
    assert "Thank you for calling" in first_agent_turn
    assert speakers == {"mono_call": 2, "forced": 2}
    assert segments >= 2
    assert mono_score == 100  # as the stereo recording of the same call scores
    # Forced the wrong way round, the manifest wins and is recorded as the reason.
    assert rows["forced"][2:4] == ("manifest", 1.0)
    shown = subprocess.run(
        [*CLI, "show", "mono_call", "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    roles = json.loads(shown.stdout)["speakers"]
    assert roles["diarizer"] == "embedding" and roles["needs_review"] is False
    assert "thank you for calling" in roles["role_reason"]


def test_mono_call_waits_when_only_channels_may_be_used(tmp_path: Path, transcriber) -> None:
    decoded = audio.decode(SAMPLES / "call_02_rude_greeting.wav")
    path = write_audio(tmp_path / "mono.wav", audio.mix_down(decoded), SAMPLE_RATE_HZ)
    options = PipelineOptions(diarise=DiariseOptions(diarizer=Backend.CHANNELS))
    with Store(tmp_path / "qa.duckdb") as store:
        report = run_batch([path], store, options=options, transcriber=transcriber)
    assert report.stored == {"mono": Status.NEEDS_DIARISATION}


def test_pyannote_without_a_pipeline_says_how_to_configure_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != PIPELINE_ENV}
    result = subprocess.run(
        [
            *CLI,
            "run",
            str(SAMPLES / "call_01_good_billing.wav"),
            "--db",
            str(tmp_path / "x.db"),
            "--diarizer",
            "pyannote",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "--pyannote-pipeline" in message and PIPELINE_ENV in message
    assert not (tmp_path / "x.db").exists()


def test_pyannote_imports_cleanly_on_this_cpu_machine() -> None:
    pytest.importorskip("pyannote.audio", reason="installed by setup.sh --with-pyannote")
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            "from qa_pipeline.speech.diarise.options import import_pyannote_pipeline; "
            "import_pyannote_pipeline()",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def _untrained_pyannote_pipeline():
    """pyannote.audio's SpeakerDiarization pipeline built from untrained models.

    No pyannote weights exist offline; this runs pyannote's real code path on this CPU
    install (segmentation, embeddings, clustering), so the adapter's in-memory handover and
    its reading of the output are tested. Its answers are not meaningful; the DER of a real
    pipeline is tested below when one is configured.
    """
    torch = pytest.importorskip("torch")
    from qa_pipeline.speech.diarise.options import import_pyannote_pipeline

    import_pyannote_pipeline()  # quiets pyannote's import-time warnings first
    from pyannote.audio.core.plda import PLDA
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from pyannote.audio.models.embedding import WeSpeakerResNet34
    from pyannote.audio.models.segmentation import PyanNet
    from pyannote.audio.pipelines import SpeakerDiarization

    torch.manual_seed(0)
    segmentation = PyanNet(sample_rate=16000)
    segmentation.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION,
        resolution=Resolution.FRAME,
        duration=5.0,
        classes=["s1", "s2", "s3"],
        powerset_max_classes=2,
        permutation_invariant=True,
    )
    segmentation.build()
    pipeline = SpeakerDiarization(
        segmentation=segmentation,
        embedding=WeSpeakerResNet34(sample_rate=16000),
        # Agglomerative clustering does not use the PLDA, which only ships with weights.
        plda=PLDA.__new__(PLDA),
        clustering="AgglomerativeClustering",
    )
    return pipeline.instantiate(
        {
            "segmentation": {"min_duration_off": 0.0},
            "clustering": {"method": "centroid", "min_cluster_size": 12, "threshold": 0.7},
        }
    )


def test_pyannote_adapter_hands_audio_over_in_memory_and_reads_the_output() -> None:
    pytest.importorskip("pyannote.audio", reason="installed by setup.sh --with-pyannote")
    pipeline = _untrained_pyannote_pipeline()
    wav, _rttm = pyannote_sample()
    samples = audio.decode(wav).channels[0][: 12 * SAMPLE_RATE_HZ]
    two = PyannoteDiariser(PyannoteOptions(pipeline="in-memory"), pipeline=pipeline)
    result = two.diarise(samples)
    assert result.backend == "pyannote" and len(result.labels) == 2
    assert all(0 <= s.start_s < s.end_s <= 12.01 for s in result.segments)
    bounded = PyannoteDiariser(
        PyannoteOptions(pipeline="in-memory", num_speakers=None, max_speakers=1),
        pipeline=pipeline,
    )
    assert len(bounded.diarise(samples).labels) == 1


@pytest.mark.skipif(
    not os.environ.get(PIPELINE_ENV), reason=f"set {PIPELINE_ENV} to a local pyannote pipeline"
)
def test_pyannote_pipeline_on_the_real_sample_call() -> None:
    wav, rttm = pyannote_sample()
    options = DiariseOptions(
        diarizer=Backend.PYANNOTE, pyannote=PyannoteOptions(pipeline=os.environ[PIPELINE_ENV])
    )
    result = get_diariser(Backend.PYANNOTE, options).diarise(audio.decode(wav).channels[0])
    assert len(result.labels) == 2
    assert diarisation_error(read_rttm(rttm), result.segments).rate <= 0.15
