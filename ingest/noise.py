"""The blemishes real reports carry, applied to synthetic ones with their truth kept exact.

Two kinds:

* label noise (`noisy_label`): what careless typing and copying does to a printed label — the
  typos seen in published reports (其他法律行政止公开 for 其他法律行政法规禁止公开, 行政法复议
  for 行政复议), numbering written 1. / 1、 / 1．, full- or half-width brackets, a stray space
  inside a label (社会公益 组织). Labels change, numbers never do: the truth is untouched.
* truth edits that a rendering implies (`blank_totals`, `without_reviews`): some agencies leave
  the 总计 column blank on most rows (blank is not zero: the truth holds None and the checks
  on those rows read ``blank_unknown``); some reports print no section 四 table at all.
"""

from __future__ import annotations

import copy
import random

from ingest import checks

# Misspellings seen in published tables: the correct text and how it was printed.
TYPOS: tuple[tuple[str, str], ...] = (
    ("其他法律行政法规禁止公开", "其他法律行政止公开"),
    ("行政复议", "行政法复议"),
)
NUMBERINGS = ("1.", "1、", "1．")
_FULL_TO_HALF = str.maketrans({"（": "(", "）": ")"})
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）"})
_INNER_SPACES = (" ", " ", "\u3000", "  ")


def noisy_label(rng: random.Random, text: str, rate: float = 0.5) -> str:
    """`text` with each kind of noise applied with probability `rate` (the typos always when
    they apply and the draw says so; a space only inside labels of 4 characters or more)."""
    for right, wrong in TYPOS:
        if right in text and rng.random() < rate:
            text = text.replace(right, wrong)
    if text[:1].isdigit() and rng.random() < rate:
        sep = rng.choice(NUMBERINGS)[1:]
        head = len(text) - len(text.lstrip("0123456789"))
        if text[head : head + 1] in (".", "、", "．"):
            text = text[:head] + sep + text[head + 1 :]
    if any(b in text for b in "（）()") and rng.random() < rate:
        table = _FULL_TO_HALF if rng.random() < 0.5 else _HALF_TO_FULL
        text = text.translate(table)
    if len(text) >= 4 and rng.random() < rate / 2:
        cut = rng.randint(2, len(text) - 2)
        text = text[:cut] + rng.choice(_INNER_SPACES) + text[cut:]
    return text


def _refresh(truth: dict) -> dict:
    truth["expected_failures"] = [
        [c["identity"], c["at"]]
        for c in checks.evaluate(truth)
        if c["holds"] is False and not c["soft"]
    ]
    return truth


def blank_totals(truth: dict, rng: random.Random, share: float = 0.8) -> dict:
    """A copy of `truth` whose 总计 column is blank on most application rows (at least one,
    about `share` of them). The printed parts are unchanged; the checks that need a blank total
    become undecided (reading ``blank_unknown``)."""
    out = copy.deepcopy(truth)
    apps = out.get("applications")
    if not apps:
        return out
    rows = list(apps)
    k = max(1, round(len(rows) * rng.uniform(share - 0.15, min(1.0, share + 0.15))))
    for r in rng.sample(rows, min(k, len(rows))):
        apps[r]["total"] = None
    return _refresh(out)


def without_reviews(truth: dict) -> dict:
    """A copy of `truth` as a report that prints no section 四 table: no reviews, so a report
    that had tables is only partial."""
    out = copy.deepcopy(truth)
    if out.pop("reviews", None) is not None and out.get("status") == "complete":
        out["status"] = "partial"
    return _refresh(out)
