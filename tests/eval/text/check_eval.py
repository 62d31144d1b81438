# Format and timing checker for eval_*.txt (0.4 s per word, "hold N", "A -x:" overlaps).
# Prints, per block: the agent words inside the first 20 s, the interruption count, the holds,
# and the agent text inside the closing window; flags mechanical contradictions with the labels.
# The keyword lists are only a helper for review; the labels were set by reading.
# Usage: python3 check_eval.py [-q] [files...]
import collections
import glob
import pathlib
import re
import sys

HDR = re.compile(
    r"^=== (E\d{3}) greeting=(pass|fail) active_listening=(pass|fail|na)"
    r" hold_etiquette=(pass|fail|na) apology=(pass|fail|na) closing=(pass|fail)$"
)
LINE = re.compile(r"^([AC])(?: -(\d+(?:\.\d+)?))?: (.+)$")
HOLD = re.compile(r"^hold (\d+)$")


def parse(files):
    blocks = []
    cur = None
    for f in files:
        with open(f, encoding="utf-8") as handle:
            rows = handle.read().splitlines()
        for ln, s in enumerate(rows, 1):
            if s.startswith("#"):
                continue
            if not s.strip():
                print(f"{f}:{ln}: blank line")
                continue
            if s.startswith("==="):
                m = HDR.match(s)
                if not m:
                    print(f"{f}:{ln}: bad header {s}")
                    cur = None
                    continue
                cur = dict(
                    id=m[1],
                    labels=dict(
                        zip(
                            [
                                "greeting",
                                "active_listening",
                                "hold_etiquette",
                                "apology",
                                "closing",
                            ],
                            m.groups()[1:],
                            strict=True,
                        )
                    ),
                    lines=[],
                    file=f,
                )
                blocks.append(cur)
                continue
            if cur is None:
                print(f"{f}:{ln}: line outside block")
                continue
            m = LINE.match(s)
            h = HOLD.match(s)
            if m:
                cur["lines"].append((m[1], float(m[2] or 0), m[3]))
            elif h:
                cur["lines"].append(("hold", 0, int(h[1])))
            else:
                print(f"{f}:{ln}: bad line {s!r}")
    return blocks


def timeline(b):
    t = 0
    out = []
    prev = None
    for spk, off, txt in b["lines"]:
        if spk == "hold":
            st = t
            en = t + txt
            out.append(("hold", st, en, txt, 0))
            t = en
            prev = None
            continue
        n = len(txt.split())
        st = t - off
        en = st + 0.4 * n
        ov = 0
        if off > 0 and prev is not None:
            ov = min(off, prev[2] - prev[1], en - st)
            if st < prev[1]:
                print(b["id"], "overlap larger than previous line")
        out.append((spk, st, en, txt, ov if (spk == "A" and prev and prev[0] == "C") else 0))
        prev = out[-1]
        t = max(en, prev[2] if prev else en, t)
    return out


def report(b, verbose=True):
    tl = timeline(b)
    end = max(x[2] for x in tl)
    L = b["labels"]
    probs = []
    n = len(b["lines"])
    if not 8 <= n <= 25:
        probs.append(f"{n} lines")
    nC = sum(1 for x in tl if x[0] == "C")
    if (nC == 0) != (L["active_listening"] == "na"):
        probs.append("AL na vs customer lines mismatch")
    ints = sum(1 for x in tl if x[0] == "A" and x[4] >= 1)
    holds = [x for x in tl if x[0] == "hold"]
    if L["hold_etiquette"] == "na" and any(h[3] >= 20 for h in holds):
        probs.append("hold>=20 but na")
    if ints >= 2 and L["active_listening"] == "pass":
        probs.append(">=2 interruptions but AL pass")
    # greeting window words
    g = []
    for x in tl:
        if x[0] == "A":
            ws = x[3].split()
            for i, w in enumerate(ws):
                if x[1] + 0.4 * i < 20:
                    g.append(w)
    # closing
    ag = [x for x in tl if x[0] == "A"]
    last3 = ag[-3:]
    w60 = [x for x in tl if x[0] == "A" and x[2] > end - 60]
    if verbose:
        print(
            f"--- {b['id']} {' '.join(k[:2] + '=' + v for k, v in L.items())} lines={n}"
            f" dur={end:.0f}s ints={ints} holds={[h[3] for h in holds]}"
        )
        print("   G20:", " ".join(g))
        print(
            "   K-last3/60s start:",
            min([x[1] for x in last3] + [x[1] for x in w60]) if ag else None,
            "first-in-window-line:",
            (sorted(last3 + w60, key=lambda x: x[1])[0][3][:80] if ag else ""),
        )
    win = [x for x in tl if x[0] == "A" and (x in last3 or x in w60)]
    wt = " ".join(x[3] for x in win).lower()
    offer = re.findall(
        r"any other|anything further|something more|else can i|need anything|anything else"
        r"|anything more|something else|help|assist|else i can|else we can|anything i can",
        wt,
    )
    thanks = re.findall(
        r"thank|cheers|bye|take care|have a (?:good|lovely|great|nice|blessed)|ta-ra|ta ra"
        r"|goodbye|safe travels|enjoy|ingat|slán|sharp|catch you|see ya|all the best",
        wt,
    )
    if L["closing"] == "fail" and offer and thanks:
        probs.append(f"closing fail but window has offer {offer} and thanks {thanks}")
    if L["closing"] == "pass" and not (offer and thanks):
        probs.append(f"closing pass but window offer={offer} thanks={thanks}")
    if L["closing"] == "fail" and verbose:
        print("   KWIN:", wt[:400], "| offer", offer, "thanks", thanks)
    for p in probs:
        print("   !!", b["id"], p)
    return probs


if __name__ == "__main__":
    files = [a for a in sys.argv[1:] if not a.startswith("-")] or sorted(
        glob.glob(str(pathlib.Path(__file__).parent / "eval_*.txt"))
    )
    bl = parse(files)
    v = "-q" not in sys.argv
    ids = [b["id"] for b in bl]
    if len(set(ids)) != len(ids):
        print("DUP IDS", [i for i, c in collections.Counter(ids).items() if c > 1])
    for b in bl:
        report(b, v)
    c = collections.defaultdict(collections.Counter)
    for b in bl:
        for k, val in b["labels"].items():
            c[k][val] += 1
    print(len(bl), "blocks")
    for k, counts in c.items():
        print(k, dict(counts))
