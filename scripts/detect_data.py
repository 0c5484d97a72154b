"""Development data for the detection models: loaders and fixed-seed splits.

Reads ../shared/data/detect (or CIVICSHIELD_DETECT_DATA). Used by scripts/train_models.py and
scripts/evaluate.py only; the installed project never reads these files.
"""

from __future__ import annotations

import csv
import json
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

SEED = 20261127
ROOT = Path(os.environ.get("CIVICSHIELD_DETECT_DATA",
                           Path(__file__).resolve().parents[2] / "shared" / "data" / "detect"))


@dataclass(frozen=True)
class Example:
    """One text with the heads it is labelled for (1 yes, 0 no; a missing head is unknown)."""

    text: str
    targets: dict[str, int]
    meta: str = ""


Splits = dict[str, list[Example]]


def _split(items: list[Example], key: Callable[[Example], object]) -> Splits:
    """Stratified 70/15/15 split by a fixed seed."""
    rng = random.Random(SEED)
    groups: dict[object, list[Example]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    out: Splits = {"train": [], "validation": [], "test": []}
    for name in sorted(groups, key=str):
        group = groups[name]
        rng.shuffle(group)
        a, b = int(len(group) * 0.70), int(len(group) * 0.85)
        out["train"] += group[:a]
        out["validation"] += group[a:b]
        out["test"] += group[b:]
    for part in out.values():
        rng.shuffle(part)
    return out


def threatgram() -> Splits:
    """ThreatGram 101: label 2 (violence) is a threat; 0 and 1 (calls for arrest, jail) are not."""
    rows = json.loads((ROOT / "threatgram" / "threatgram101_labeled.json").read_text("utf-8"))
    items = [Example(r["reply"], {"threat": int(r["Label"] == 2)}, meta=str(r["Label"]))
             for r in rows if r["reply"].strip()]
    return _split(items, key=lambda e: e.meta)


def edos() -> Splits:
    """EDOS: sexist or not, with the dataset's own train/dev/test split.

    Its sexist posts also teach the threat head: category 1 ("threats, plans to harm") is a
    threat, categories 2 to 4 (derogation, animosity, prejudiced discussion) are sexist posts the
    annotators judged not to be threats. Posts labelled not sexist say nothing about threats.
    """
    out: Splits = {"train": [], "validation": [], "test": []}
    names = {"train": "train", "dev": "validation", "test": "test"}
    with (ROOT / "edos" / "edos_labelled_aggregated.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            targets = {"sexism": int(row["label_sexist"] == "sexist")}
            if row["label_sexist"] == "sexist":
                targets["threat"] = int(row["label_category"].startswith("1."))
            out[names[row["split"]]].append(Example(row["text"], targets, row["label_category"]))
    return out


def davidson() -> Splits:
    """Davidson et al.: hate speech (0) is an identity attack; hate or offensive (0, 1) insults."""
    items = []
    with (ROOT / "davidson" / "labeled_data.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            cls = int(row["class"])
            items.append(Example(row["tweet"], {"hate": int(cls == 0), "offensive": int(cls < 2)},
                                 meta=str(cls)))
    return _split(items, key=lambda e: e.meta)


def hatecheck() -> list[dict[str, str]]:
    """HateCheck test cases: evaluation only, never training or thresholds."""
    with (ROOT / "hatecheck" / "test_suite_cases.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _grouped_split(items: list[Example], group: Callable[[Example], object],
                   stratum: Callable[[Example], object]) -> Splits:
    """70/15/15 by a fixed seed, keeping each group (a pair, a conversation, a repeated text)
    inside one split; groups are dealt out per stratum so each label keeps its share."""
    rng = random.Random(SEED)
    groups: dict[object, list[Example]] = {}
    for item in items:
        groups.setdefault(group(item), []).append(item)
    strata: dict[object, list[list[Example]]] = {}
    for key in sorted(groups, key=str):
        members = groups[key]
        strata.setdefault(stratum(members[0]), []).append(members)
    out: Splits = {"train": [], "validation": [], "test": []}
    for name in sorted(strata, key=str):
        bucket = strata[name]
        rng.shuffle(bucket)
        a, b = int(len(bucket) * 0.70), int(len(bucket) * 0.85)
        for part, chosen in (("train", bucket[:a]), ("validation", bucket[a:b]),
                             ("test", bucket[b:])):
            out[part] += [e for members in chosen for e in members]
    for part in out.values():
        rng.shuffle(part)
    return out


def _by_text(example: Example) -> str:
    return " ".join(example.text.lower().split())


def gab() -> Splits:
    """Gab Hate Corpus: `cv` (a call for violence) is a threat, `hd` (an assault on human
    dignity) an identity attack, any of hd, cv, vo (vulgar, aimed at a person) offensive. Both
    published files are pooled and re-split with identical texts kept together (28 texts are
    in both files)."""
    items = []
    for name in ("ghc_train.tsv", "ghc_test.tsv"):
        with (ROOT / "gab-hate-corpus" / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                if not row["text"].strip():
                    continue
                hd, cv, vo = (int(row[k]) for k in ("hd", "cv", "vo"))
                items.append(Example(row["text"], {"threat": cv, "hate": hd,
                                                   "offensive": int(hd or cv or vo)},
                                     meta=f"cv{cv}hd{hd}vo{vo}"))
    return _grouped_split(items, _by_text, lambda e: e.meta[:3])


def implicit_hate() -> Splits:
    """Implicit Hate Corpus, stage 1: explicit and implicit hate are identity attacks, not_hate
    is not. Stage 2's `threatening` class mixes violence with calls to deport or ban, so those
    posts are left unlabelled for threat; the other implicit classes (grievance, irony,
    stereotype, inferiority, incitement of hate groups) are hateful posts that are not
    threats."""
    stage2: dict[str, str] = {}
    with (ROOT / "implicit-hate" / "implicit_hate_v1_stg2_posts.tsv").open(
            encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            stage2[row["post"].strip()] = row["implicit_class"]
    items = []
    with (ROOT / "implicit-hate" / "implicit_hate_v1_stg1_posts.tsv").open(
            encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            text = row["post"].strip()
            if not text:
                continue
            hateful = row["class"] != "not_hate"
            targets = {"hate": int(hateful)}
            kind = stage2.get(text, "")
            if hateful and kind and kind != "threatening":
                targets["threat"] = 0
            items.append(Example(text, targets, meta=row["class"] + (":" + kind if kind else "")))
    return _grouped_split(items, _by_text, lambda e: e.meta.split(":")[0])


def hatemoji() -> Splits:
    """HatemojiBuild: hateful entries are identity attacks; `threateninglanguage` is a threat
    and the other hateful types are not. Non-hateful entries are often the same sentence aimed
    at something that is not a protected group ("I will 🔪 some politicians" can be one), so
    they say nothing about threat. Each original and its perturbation stay in one split."""
    items = []
    for name in ("train.csv", "validation.csv", "test.csv"):
        with (ROOT / "hatemoji" / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                hateful = row["label_gold"] == "1"
                targets = {"hate": int(hateful)}
                if hateful:
                    targets["threat"] = int(row["type"] == "threateninglanguage")
                pair = min(int(row["entry_id"]), int(float(row["matched_id"] or row["entry_id"])))
                items.append(Example(row["text"], targets, meta=f"{pair}:{row['type']}"))
    return _grouped_split(items, lambda e: e.meta.split(":")[0],
                          lambda e: e.meta.split(":")[1] == "threateninglanguage")


def ami() -> Splits:
    """AMI 2018 (English): misogynous tweets are gendered harassment (the sexism head);
    `sexual_harassment` mixes come-ons with threats, so it says nothing about threat; the
    other categories (discredit, stereotype, dominance, derailing) are misogyny that is not a
    threat. Both files pooled and re-split by category."""
    items = []
    for name in ("en_training_anon.tsv", "en_testing_labeled_anon.tsv"):
        with (ROOT / "ami2018" / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                misogynous = row["misogynous"] == "1"
                targets = {"sexism": int(misogynous)}
                if misogynous and row["misogyny_category"] != "sexual_harassment":
                    targets["threat"] = 0
                items.append(Example(row["text"], targets, meta=row["misogyny_category"]))
    return _grouped_split(items, _by_text, lambda e: e.meta)


def _annotator_votes(row: list[str], start: int) -> dict[str, int] | None:
    """One ConvAbuse annotator's block (17 columns), None when they did not see the turn."""
    block = row[start:start + 17]
    if not any(cell.strip() for cell in block[:5]):
        return None

    def value(cell: str) -> int:
        marks = [int(float(v)) for v in cell.replace(" ", "").split(",") if v]
        return int(sum(marks) * 2 >= len(marks)) if marks else 0  # repeats: majority, tie is 1

    severity = [value(c) for c in block[:5]]  # one-hot: 1, 0, -1, -2, -3
    return {"abusive": int(any(severity[2:])), "sexist": value(block[9]),
            "sex_harassment": value(block[10])}


def convabuse() -> Splits:
    """ConvAbuse: a user turn the majority of its annotators call abusive (-1 to -3) is
    offensive; a majority for `sexist` or `sex_harassment` is gendered harassment. Turns are
    mostly aimed at the chatbot. Its own train / valid / test split keeps conversations apart."""
    out: Splits = {"train": [], "validation": [], "test": []}
    for name, part in (("ConvAbuseEMNLPtrain.csv", "train"), ("ConvAbuseEMNLPvalid.csv",
                                                             "validation"),
                       ("ConvAbuseEMNLPtest.csv", "test")):
        with (ROOT / "convabuse" / name).open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))[1:]
        for row in rows:
            votes = [v for n in range(8) if (v := _annotator_votes(row, 7 + 17 * n)) is not None]
            if not votes or not row[5].strip():
                continue
            majority = {k: int(sum(v[k] for v in votes) * 2 > len(votes)) for k in votes[0]}
            out[part].append(Example(row[5], {
                "offensive": majority["abusive"],
                "sexism": int(majority["sexist"] or majority["sex_harassment"])},
                meta=row[1]))
    return out


CORPUS = Path(__file__).resolve().parents[1] / "training" / "corpus"


def corpus() -> Splits:
    """The project's own corpus (training/corpus, its README): threats to officials by family
    and their lawful twins, split 70/15/15 within each family by a fixed seed."""
    items = []
    for path in sorted(CORPUS.glob("*.tsv")):
        kind, family = path.stem.split("-", 1)
        for line in path.read_text("utf-8").splitlines():
            register, text = line.split("\t")
            items.append(Example(text, {"threat": int(kind == "threat")},
                                 meta=f"{kind}:{family}:{register}"))
    return _grouped_split(items, _by_text, lambda e: ":".join(e.meta.split(":")[:2]))


#: Every training source by name, with its loader (HateCheck is evaluation only, not here).
SOURCES: dict[str, Callable[[], Splits]] = {
    "threatgram": threatgram, "edos": edos, "davidson": davidson, "gab": gab,
    "implicit_hate": implicit_hate, "hatemoji": hatemoji, "ami": ami, "convabuse": convabuse,
    "corpus": corpus,
}
#: The sources that label threats (a text can also be labelled "not a threat").
THREAT_SOURCES = ("threatgram", "edos", "gab", "implicit_hate", "hatemoji", "ami", "corpus")


def labelled(head: str, names: Sequence[str], split: str
             ) -> tuple[list[str], list[bool], list[str]]:
    """Texts, truth for ``head`` and source name of one split of the named sources, for the
    examples labelled for that head."""
    texts: list[str] = []
    truth: list[bool] = []
    sources: list[str] = []
    for name in names:
        for e in SOURCES[name]()[split]:
            if head in e.targets:
                texts.append(e.text)
                truth.append(e.targets[head] == 1)
                sources.append(name)
    return texts, truth, sources
