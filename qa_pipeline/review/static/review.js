// The review app's only script: rows of the calls list open their call; on a call page,
// clicking a line (or an evidence time) seeks the recording there, the line being played is
// highlighted, and keys step through the list (j/k) and play or pause (space).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const row of document.querySelectorAll("tr[data-href]")) {
    row.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      window.location.href = row.dataset.href;
    });
  }

  const player = document.getElementById("player");
  const turns = Array.from(document.querySelectorAll(".turn[data-start]"));
  const starts = turns.map((t) => parseFloat(t.dataset.start));
  const ends = turns.map((t) => parseFloat(t.dataset.end));

  function seek(seconds, turn) {
    if (turn) highlight(turn);
    if (!player) return;
    player.currentTime = seconds;
    const playing = player.play();
    if (playing) playing.catch(() => {});  // autoplay refused: the time has still moved
  }

  let current = null;
  function highlight(turn) {
    if (turn === current) return;
    if (current) current.classList.remove("playing");
    current = turn;
    if (turn) {
      turn.classList.add("playing");
      const box = turn.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) {
        turn.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    }
  }

  for (const turn of turns) {
    turn.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      seek(parseFloat(turn.dataset.start), turn);
    });
    turn.addEventListener("keydown", (event) => {
      if (event.key === "Enter") seek(parseFloat(turn.dataset.start), turn);
    });
  }
  for (const button of document.querySelectorAll("button.seek")) {
    button.addEventListener("click", () => {
      seek(parseFloat(button.dataset.start), document.getElementById("turn-" + button.dataset.turn));
    });
  }

  if (player) {
    player.addEventListener("timeupdate", () => {
      const t = player.currentTime;
      let found = null;
      for (let k = 0; k < turns.length; k++) {
        if (starts[k] <= t && t < ends[k] + 0.05) found = turns[k];
      }
      if (found) highlight(found);
    });
  }

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, button, audio");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " " && player) {
      event.preventDefault();
      if (player.paused) player.play().catch(() => {}); else player.pause();
    } else if (event.key === "j" || event.key === "ArrowRight") {
      const next = document.getElementById("next-call");
      if (next) window.location.href = next.href;
    } else if (event.key === "k" || event.key === "ArrowLeft") {
      const prev = document.getElementById("prev-call");
      if (prev) window.location.href = prev.href;
    }
  });
});
