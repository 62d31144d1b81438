"""``qa-pipeline review`` as QA specialists use it: the real server over a store the real
pipeline wrote, driven in a real headless Chromium, and its security checked request by
request. Screenshots go to tests/artefacts/screenshots."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from qa_pipeline.store import Store
from tests.support.browser import chromium, screenshot
from tests.support.paths import ROOT

SAMPLES = ROOT / "samples"
CALLS = ["call_01_good_billing", "call_03_good_hold", "call_05_upset_customer"]
HOSTILE = "<script>document.title='owned'</script><img src=x onerror=alert(1)> ' or 1=1 --"
PASSWORD = "correct horse battery"


def _qa(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa_pipeline", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three sample recordings run through the real pipeline, and one imported transcript
    whose words are hostile HTML (no recording)."""
    folder = tmp_path_factory.mktemp("review")
    inbox = folder / "inbox"
    inbox.mkdir()
    for call in CALLS:
        shutil.copy(SAMPLES / f"{call}.wav", inbox)
    manifest = folder / "manifest.csv"
    lines = (SAMPLES / "manifest.csv").read_text().splitlines()
    manifest.write_text("\n".join([lines[0], *(x for x in lines if x.split(",")[0] in CALLS)]))
    path = folder / "qa.duckdb"
    ran = _qa("run", str(inbox), "--manifest", str(manifest), "--db", str(path), cwd=folder)
    assert ran.returncode == 0, ran.stderr
    doc = json.loads((SAMPLES / "truth" / "call_02_rude_greeting.json").read_text())
    doc["call_id"] = "hostile"
    doc["segments"][0]["text"] = HOSTILE
    (folder / "hostile").mkdir()
    (folder / "hostile" / "hostile.json").write_text(json.dumps(doc))
    imported = _qa("import", str(folder / "hostile"), "--db", str(path), cwd=folder)
    assert imported.returncode == 0, imported.stderr
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: Path, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = db.parent / f"review-{self.port}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qa_pipeline", "review", "--db", str(db)]
            + ["--port", str(self.port), "--reviewer", "dana", *args],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/static/review.css", timeout=1)
                return
            except httpx.TransportError:
                assert self.process.poll() is None, self.log.read_text()
                time.sleep(0.2)
        raise AssertionError(f"the review app did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture()
def server(db: Path) -> Iterator[Server]:
    running = Server(db)
    yield running
    running.stop()


def _standing(db: Path, call_id: str) -> tuple[float, str]:
    # Through a Store, as any reader beside the running app: it asks the app for the file.
    with Store(db, read_only=True) as store:
        row = store.query("review_standing", call_id=call_id).row(0, named=True)
    return row["score"], row["band"]


def test_a_reviewer_filters_opens_a_call_hears_it_and_overrides_a_verdict(
    server: Server, db: Path
) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with chromium(1280, 900) as driver:
        # A form posts and the page is loaded again: an element found just before the new
        # page replaced it is stale, not missing, so the wait looks again.
        wait = WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException,))
        driver.get(server.url + "/")
        rows = driver.find_elements(By.CSS_SELECTOR, "table.calls tbody tr")
        assert len(rows) == 4
        screenshot(driver, "review_calls")

        Select(driver.find_element(By.NAME, "team")).select_by_visible_text("deliveries")
        driver.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
        wait.until(lambda d: "team=deliveries" in d.current_url)
        links = driver.find_elements(By.CSS_SELECTOR, "a.call-link")
        assert [a.text for a in links] == ["call_05_upset_customer"]
        assert "1–1 of 1 calls" in driver.find_element(By.ID, "count").text

        links[0].click()
        wait.until(lambda d: d.find_elements(By.ID, "player"))
        player = driver.find_element(By.ID, "player")
        wait.until(lambda d: d.execute_script("return arguments[0].readyState", player) >= 1)
        turn = driver.find_element(By.CSS_SELECTOR, ".turn[data-start^='15']")
        turn.click()
        wait.until(lambda d: d.execute_script("return arguments[0].currentTime", player) >= 15)
        assert "playing" in turn.get_attribute("class")
        # the line being played follows the player
        later = driver.find_element(By.CSS_SELECTOR, ".turn[data-start^='20']")
        driver.execute_script(
            "arguments[0].pause(); arguments[0].currentTime = +arguments[1].dataset.start + 0.2",
            player,
            later,
        )
        wait.until(lambda d: "playing" in later.get_attribute("class"))
        assert "playing" not in turn.get_attribute("class")
        driver.execute_script("window.scrollTo(0, 0)")
        screenshot(driver, "review_call")

        score_before = driver.find_element(By.ID, "score").text
        greeting = driver.find_element(By.ID, "item-greeting")
        assert "PASS" in greeting.find_element(By.CSS_SELECTOR, ".verdict").text.upper()
        greeting.find_element(By.CSS_SELECTOR, "input[value=fail]").click()
        greeting.find_element(By.NAME, "comment").send_keys("no name given")
        greeting.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: d.find_element(By.ID, "score").text != score_before)
        score_after = driver.find_element(By.ID, "score").text
        assert float(score_after) < float(score_before)
        stored_score, stored_band = _standing(db, "call_05_upset_customer")
        assert (score_after, driver.find_element(By.ID, "band").text) == (
            f"{stored_score:.0f}",
            stored_band,
        )

        driver.refresh()
        kept = driver.find_element(By.ID, "item-greeting")
        assert "FAIL" in kept.find_element(By.CSS_SELECTOR, ".verdict").text.upper()
        assert "machine said pass; dana set fail" in kept.text
        assert driver.find_element(By.ID, "score").text == score_after

        # keyboard: j goes to the next call of the list it came from (none after the only one)
        driver.get(server.url + "/?sort=oldest")
        driver.find_elements(By.CSS_SELECTOR, "a.call-link")[0].click()
        first = driver.current_url
        driver.find_element(By.TAG_NAME, "body").send_keys("j")
        wait.until(lambda d: d.current_url != first)
        assert "pos=1" in driver.current_url

    with chromium(390, 844) as phone:
        phone.get(server.url + "/calls/call_05_upset_customer")
        # (headless Chromium keeps windows at least 500 px wide: compare with the viewport)
        fits = "return document.documentElement.scrollWidth <= window.innerWidth"
        assert phone.execute_script("return window.innerWidth") <= 500
        assert phone.execute_script(fits), "the call page scrolls sideways at phone width"
        screenshot(phone, "review_call_phone")
        phone.get(server.url + "/")
        assert phone.execute_script(fits), "the calls list scrolls sideways at phone width"
        screenshot(phone, "review_calls_phone")


def test_the_agent_page_and_calibration_show_the_reviewers_verdicts(
    server: Server, db: Path
) -> None:
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/calls/call_01_good_billing")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        for verdict in ("fail", "pass"):  # a second reviewer's pass comes later
            posted = client.post(
                "/calls/call_01_good_billing/items/closing",
                data={"verdict": verdict, "comment": "", "csrf_token": token},
            )
            assert posted.status_code == 303
        calibration = client.get("/calibration")
        assert calibration.status_code == 200
        assert "Machine against reviewers" in calibration.text and "Closing" in calibration.text
        agent = client.get("/agents/A100")
        assert agent.status_code == 200 and "Coaching report" in agent.text
        assert client.get("/agents/nobody").status_code == 404

    from selenium.webdriver.common.by import By

    with chromium(1280, 900) as driver:
        driver.get(server.url + "/calibration")
        assert driver.find_elements(By.CSS_SELECTOR, "table.confusion")
        screenshot(driver, "review_calibration")


def test_transcript_text_is_escaped_and_requests_cannot_reach_files_or_sql(
    server: Server,
) -> None:
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/calls/hostile")
        assert page.status_code == 200
        assert "<script>document.title" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;document.title" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        # audio only for stored calls, by id: no recording for an import, no path traversal
        assert client.get("/calls/hostile/audio").status_code == 404
        assert client.get("/calls/..%2F..%2Fetc%2Fpasswd/audio").status_code == 404
        assert client.get("/calls/%2Fetc%2Fpasswd/audio").status_code == 404
        wav = client.get("/calls/call_01_good_billing/audio", headers={"Range": "bytes=0-9"})
        assert wav.status_code == 206 and wav.content[:4] == b"RIFF"
        # filter values are parameters, never SQL
        injected = client.get(
            "/", params={"agent": "' or 1=1 --", "team": "x'; drop table calls;--"}
        )
        assert injected.status_code == 200 and "No calls match." in injected.text
        assert client.get("/").text.count("<tr data-href") == 4


def test_a_form_without_its_csrf_token_changes_nothing(server: Server, db: Path) -> None:
    before = _standing(db, "call_03_good_hold")
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        forged = client.post(
            "/calls/call_03_good_hold/items/greeting",
            data={"verdict": "fail", "comment": "", "csrf_token": "guess"},
        )
        assert forged.status_code == 403
        missing = client.post("/calls/call_03_good_hold/items/greeting", data={"verdict": "fail"})
        assert missing.status_code == 403
    assert _standing(db, "call_03_good_hold") == before


def test_beyond_loopback_it_needs_logins_and_then_asks_for_one(db: Path, tmp_path: Path) -> None:
    store = tmp_path / "q.duckdb"
    shutil.copy(db, store)
    refused = _qa("review", "--db", str(store), "--host", "0.0.0.0", "--port", "1", cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert "without login" in refused.stderr and "add-user" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1

    added = _qa(
        "review",
        "add-user",
        "ana",
        "--db",
        str(store),
        "--password-stdin",
        cwd=tmp_path,
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    with duckdb.connect(str(store), read_only=True) as con:
        stored = con.execute("select password_hash from review_users").fetchall()[0][0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored

    running = Server(store)
    try:
        with httpx.Client(base_url=running.url) as client:
            gate = client.get("/calls/call_01_good_billing")
            assert gate.status_code == 303 and gate.headers["location"].startswith("/login")
            form = client.get("/login")
            token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
            wrong = client.post(
                "/login",
                data={"username": "ana", "password": "nope", "csrf_token": token, "next": "/"},
            )
            assert wrong.status_code == 401 and "qa_review" not in str(
                wrong.cookies.get("qa_review", "")
            )
            assert client.get("/").status_code == 303
            good = client.post(
                "/login",
                data={
                    "username": "ana",
                    "password": PASSWORD,
                    "csrf_token": token,
                    "next": "//evil.example/",
                },
            )
            assert good.status_code == 303 and good.headers["location"] == "/"  # no open redirect
            cookie = client.cookies.get("qa_review")
            assert cookie and "samesite=strict" in good.headers["set-cookie"].lower()
            assert client.get("/").status_code == 200
            # a tampered cookie is no session
            client.cookies.set("qa_review", cookie[:-4] + "AAAA")
            assert client.get("/").status_code == 303
    finally:
        running.stop()


def test_the_app_refuses_a_port_in_use_in_one_line(db: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _qa("review", "--db", str(db), "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2 and "--port" in result.stderr
    assert "Traceback" not in result.stderr
