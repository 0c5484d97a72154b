"""Evaluate the installed detector stack and write docs/evaluation.md (`make eval`).

Measures, with the detectors exactly as `civicshield classify` runs them:
- per label, precision, recall and F1 on the held-out test splits (fixed seeds) of ThreatGram,
  EDOS and Davidson, for the full stack and for the trained model's head alone;
- per-functionality accuracy on HateCheck (evaluation only; never used for training or thresholds);
- the project's own sets: hard negatives (lawful speech that must not be flagged), threats
  (explicit, veiled, conditional, incitement, obfuscated, with assessment cues) and doxxing
  variants with decoys (tests/detectors/cases/).

    python scripts/evaluate.py            # prints the tables and writes docs/evaluation.md
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import blind
import detect_data

from civicshield.app import build_registry
from civicshield.config import load_settings
from civicshield.detectors.encoder import MODEL_DIR, TextEncoder, read_manifest
from civicshield.detectors.model import ModelDetector, calibrated
from civicshield.domain.detection import DetectionInput, DetectorRegistry, verdict
from civicshield.domain.profile import ProtectedProfile

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "detectors" / "cases"
HATEFUL_LABELS = {"threat", "identity_attack", "harassment", "sexual_harassment"}


def flags_for(registry: DetectorRegistry, texts: Sequence[str],
              profile: ProtectedProfile | None = None) -> list[set[str]]:
    """The flags the full stack gives each text."""
    out: list[set[str]] = []
    for start in range(0, len(texts), 256):
        chunk = [DetectionInput(t, profile) for t in texts[start:start + 256]]
        out += [set(verdict(found).flags) for found in registry.detect(chunk)]
    return out


def prf(predicted: Sequence[bool], truth: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    precision = tp / max(sum(predicted), 1)
    recall = tp / max(sum(truth), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def macro_f1(predicted: Sequence[bool], truth: Sequence[bool]) -> float:
    """The mean F1 of both classes (EDOS task A's official measure)."""
    positive = prf(predicted, truth)[2]
    negative = prf([not p for p in predicted], [not t for t in truth])[2]
    return (positive + negative) / 2


def label_table(registry: DetectorRegistry,
                model: ModelDetector) -> tuple[list[str], dict[str, float]]:
    """Per-label results on the test splits, full stack and model head alone."""
    tasks: list[tuple[str, str, str, list[detect_data.Example], str]] = [
        ("threat", "ThreatGram test (label 2 vs 0 and 1)", "threat",
         detect_data.threatgram()["test"], "threat"),
        ("harassment (sexism)", "EDOS test (sexist vs not)", "harassment",
         detect_data.edos()["test"], "sexism"),
        ("identity_attack", "Davidson test (hate speech)", "identity_attack",
         detect_data.davidson()["test"], "hate"),
        ("insult", "Davidson test (hate or offensive)", "insult",
         detect_data.davidson()["test"], "offensive"),
    ]
    rows = ["| label | test set | n | stack P | stack R | stack F1 | model F1 | network F1 "
            "| macro F1 |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    figures: dict[str, float] = {}
    encoder = model.encoder
    network = TextEncoder.load(MODEL_DIR)  # the fine-tuned network alone, at its own thresholds
    for name, dataset, label, examples, head in tasks:
        texts = [e.text for e in examples]
        truth = [e.targets[head] == 1 for e in examples]
        stack = [label in f for f in flags_for(registry, texts)]
        column = encoder.info.heads.index(head)
        served = model.probabilities(texts)[:, column]
        alone = [calibrated(float(p), model.thresholds[head]) >= 0.5 for p in served]
        raw = network.probabilities(texts)[:, column]
        bare = [float(p) >= network.info.thresholds[head] for p in raw]
        p, r, f1 = prf(stack, truth)
        model_f1 = prf(alone, truth)[2]
        network_f1 = prf(bare, truth)[2]
        macro = macro_f1(stack, truth)
        figures[name] = f1
        figures[f"{name} macro"] = macro
        figures[f"{name} network"] = network_f1
        rows.append(f"| {name} | {dataset} | {len(examples)} | {p:.3f} | {r:.3f} | **{f1:.3f}** "
                    f"| {model_f1:.3f} | {network_f1:.3f} | {macro:.3f} |")
    return rows, figures


#: Which stack label each model head is reported as, per source.
HEAD_LABELS = {"threat": "threat", "sexism": "harassment", "hate": "identity_attack",
               "offensive": "insult"}


def source_table(registry: DetectorRegistry) -> tuple[list[str], dict[str, float]]:
    """The stack on the test split of every training source, for each label the source has."""
    rows = ["| source | label | n | positives | precision (95 % interval) | recall (95 % interval) "
            "| F1 |", "|---|---|---:|---:|---|---|---:|"]
    figures: dict[str, float] = {}
    for name, load in detect_data.SOURCES.items():
        test = load()["test"]
        found = flags_for(registry, [e.text for e in test])
        for head, label in HEAD_LABELS.items():
            pairs = [(label in f, e.targets[head] == 1) for e, f in zip(test, found, strict=True)
                     if head in e.targets]
            positives = sum(t for _, t in pairs)
            if not pairs:
                continue
            flagged = sum(p for p, _ in pairs)
            hits = sum(p and t for p, t in pairs)
            _, recall, f1 = prf([p for p, _ in pairs], [t for _, t in pairs])
            if positives:
                rows.append(f"| {name} | {label} | {len(pairs)} | {positives} | "
                            f"{blind.share(hits, flagged)} | {blind.share(hits, positives)} | "
                            f"{f1:.3f} |")
                figures[f"{name} {label} recall"] = recall
            else:
                rows.append(f"| {name} | {label} | {len(pairs)} | 0 | (no positives: "
                            f"{blind.share(flagged, len(pairs))} of negatives flagged) | | |")
                figures[f"{name} {label} false flags"] = flagged / len(pairs)
    return rows, figures


def corpus_families(registry: DetectorRegistry) -> tuple[list[str], dict[str, float]]:
    """The project's corpus test split by family: threats flagged, lawful twins flagged."""
    test = detect_data.corpus()["test"]
    found = flags_for(registry, [e.text for e in test])
    groups: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for e, f in zip(test, found, strict=True):
        kind, family, _ = e.meta.split(":")
        hit = "threat" in f if kind == "threat" else bool(f & (HATEFUL_LABELS | {"doxxing"}))
        groups[(kind, family)].append(hit)
    rows = ["| kind | family | n | flagged (threat for threats; any harmful label for lawful) |",
            "|---|---|---:|---|"]
    figures: dict[str, float] = {}
    for (kind, family), hits in sorted(groups.items()):
        rows.append(f"| {kind} | {family} | {len(hits)} | {blind.share(sum(hits), len(hits))} |")
        figures[f"corpus {kind} {family}"] = sum(hits) / len(hits)
    return rows, figures


def threat_elsewhere_table(registry: DetectorRegistry) -> tuple[list[str], dict[str, float]]:
    """How often the stack flags `threat` on EDOS test posts, by what the annotators said."""
    groups = defaultdict(list)
    for e in detect_data.edos()["test"]:
        groups[{1: "threats, plans to harm (sexist)", 0: "sexist, other categories"}.get(
            e.targets.get("threat", -1), "not sexist (threats not labelled)")].append(e.text)
    rows = ["| EDOS test posts | n | flagged as threat |", "|---|---:|---:|"]
    figures: dict[str, float] = {}
    for name in sorted(groups):
        texts = groups[name]
        share = sum("threat" in f for f in flags_for(registry, texts)) / len(texts)
        figures[f"EDOS {name} as threat"] = share
        rows.append(f"| {name} | {len(texts)} | {share:.1%} |")
    return rows, figures


def hatecheck_table(registry: DetectorRegistry) -> tuple[list[str], dict[str, float]]:
    """Accuracy per HateCheck functionality: hateful cases flagged, non-hateful ones not."""
    cases = detect_data.hatecheck()
    flags = flags_for(registry, [c["test_case"] for c in cases])
    by: dict[str, list[bool]] = defaultdict(list)
    threat_by: dict[str, list[bool]] = defaultdict(list)
    for case, found in zip(cases, flags, strict=True):
        hateful = case["label_gold"] == "hateful"
        by[case["functionality"]].append(bool(found & HATEFUL_LABELS) == hateful)
        if case["functionality"].startswith("threat_"):
            threat_by[case["functionality"]].append("threat" in found)
    rows = ["| functionality | gold | n | accuracy |", "|---|---|---:|---:|"]
    for name in sorted(by):
        gold = "hateful" if name.endswith("_h") else "not hateful"
        rows.append(f"| {name} | {gold} | {len(by[name])} | {sum(by[name]) / len(by[name]):.1%} |")
    threat_cases = [x for v in threat_by.values() for x in v]
    figures = {"hatecheck threat as threat": sum(threat_cases) / len(threat_cases),
               "hatecheck overall": sum(sum(v) for v in by.values()) / len(cases)}
    rows.append("")
    rows.append("Threat functionalities flagged as `threat` specifically: " + ", ".join(
        f"{name} {sum(v) / len(v):.1%}" for name, v in sorted(threat_by.items()))
        + f"; together **{figures['hatecheck threat as threat']:.1%}**.")
    return rows, figures


def _jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def own_sets(registry: DetectorRegistry) -> tuple[list[str], dict[str, float]]:
    """Hard negatives, threats and doxxing variants."""
    rows: list[str] = []
    negatives = _jsonl(CASES / "hard_negatives.jsonl")
    flagged = flags_for(registry, [c["text"] for c in negatives])
    wrong = [(c, f) for c, f in zip(negatives, flagged, strict=True)
             if f & {"threat", "harassment"}]
    share = len(wrong) / len(negatives)
    by_label = Counter(label for f in flagged for label in f)
    any_flag = sum(bool(f) for f in flagged) / len(negatives)
    rows += [f"Hard negatives: {len(negatives)} lawful messages; **{share:.1%}** flagged as threat "
             f"or harassment. Flagged with any label: {any_flag:.1%} ("
             + (", ".join(f"{label} {n}" for label, n in sorted(by_label.items())) or "none")
             + ").", ""]
    rows += [f"- flagged: \"{c['text']}\" ({', '.join(sorted(f))})" for c, f in wrong]
    threats = _jsonl(CASES / "threats.jsonl")
    found = flags_for(registry, [c["text"] for c in threats])
    by: dict[str, list[bool]] = defaultdict(list)
    for case, f in zip(threats, found, strict=True):
        by[case["kind"]].append("threat" in f)
    recall = sum(sum(v) for v in by.values()) / len(threats)
    rows += ["", f"Threats: {len(threats)} messages; **{recall:.1%}** flagged as threat. By kind: "
             + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in by.items()) + ".", ""]
    rows += [f"- missed: \"{c['text']}\"" for c, f in zip(threats, found, strict=True)
             if "threat" not in f]
    doxxing = json.loads((CASES / "doxxing_variants.json").read_text("utf-8"))
    profile = ProtectedProfile.from_dict(doxxing["profile"])
    cases = doxxing["cases"]
    got = ["doxxing" in f for f in flags_for(registry, [c["text"] for c in cases], profile)]
    truth = [c["doxxing"] for c in cases]
    p, r, f1 = prf(got, truth)
    rows += ["", f"Doxxing variants: {sum(truth)} seeded variants and {len(truth) - sum(truth)} "
             f"decoys; precision **{p:.3f}**, recall **{r:.3f}**, F1 {f1:.3f}.", ""]
    rows += [f"- {'missed' if t else 'false match'}: \"{c['text']}\""
             for c, g, t in zip(cases, got, truth, strict=True) if g != t]
    return rows, {"hard negatives flagged": share, "threat set recall": recall,
                  "doxxing precision": p, "doxxing recall": r}


def exposure_sets() -> tuple[list[str], dict[str, float]]:
    """The exposure scanner on its variants and decoys (tests/exposure/cases), by kind, and on
    the same official's address split across the cells of spreadsheet, CSV, HTML and Word rows
    (tests/exposure/test_variants_and_decoys.py builds those files)."""
    sys.path.insert(0, str(ROOT))
    from tests.exposure.test_variants_and_decoys import ROWS, _csv, _docx, _html, _xlsx

    from civicshield.exposure.extract import Extracted, extract
    from civicshield.exposure.scanner import hits, matcher_for

    data = json.loads((ROOT / "tests" / "exposure" / "cases" / "variants_and_decoys.json")
                      .read_text("utf-8"))
    matcher = matcher_for(ProtectedProfile.from_dict(data["profile"]))
    got, truth, by_kind, wrong = [], [], defaultdict(list), []
    for case in data["cases"]:
        kinds = {h.kind for h in hits(matcher, Extracted("case", [case["text"]]), "0")}
        found = case["kind"] in kinds if case["exposed"] else bool(kinds)
        got.append(found)
        truth.append(bool(case["exposed"]))
        by_kind[case["kind"] or "decoy"].append(found == case["exposed"])
        if found != case["exposed"]:
            wrong.append(case["text"])
    tables = 0
    for name, make in (("rows.xlsx", _xlsx), ("rows.csv", _csv), ("rows.html", _html),
                       ("rows.docx", _docx)):
        homes = [h for h in hits(matcher, extract(name, make()), "0") if h.kind == "home_address"]
        at = [[h for h in homes if f"row {n}," in h.why] for n in range(2, len(ROWS) + 1)]
        tables += len(at[0]) == 1
        got += [bool(found) for found in at]  # the home row, then the neighbours' rows
        truth += [True] + [False] * (len(at) - 1)
    p, r, f1 = prf(got, truth)
    rows = [f"Variants and decoys: {sum(truth)} exposures ({sum(truth) - 4} texts and the home "
            f"row of 4 tables) and {len(truth) - sum(truth)} decoys; precision **{p:.3f}**, "
            f"recall **{r:.3f}**, F1 {f1:.3f}. Tables placed at the right row: {tables} of 4.", "",
            "| kind | cases | right |", "|---|---:|---:|"]
    rows += [f"| {k} | {len(v)} | {sum(v)} |" for k, v in sorted(by_kind.items())]
    rows += [f"- wrong: \"{t}\"" for t in wrong]
    return rows, {"exposure precision": p, "exposure recall": r}


#: Words used in lawful senses that threat rules must not take for threats (issue 14, part 5).
LAWFUL_SENSE = re.compile(r"\b(?:guns?|rifles?|pistols?|shotguns?|hunt\w*|deer|range|sports?|game"
                          r"|team|season|shot|shots|shoot\w*|attack\w*|execut\w*|fire|fired|bomb\w*"
                          r"|kill\w*|fight\w*|beat\w*)\b", re.IGNORECASE)


def rule_table() -> tuple[list[str], dict[str, float]]:
    """Each threat rule on the public sources' non-threats: how many it flags, overall and among
    texts with words used in lawful senses (guns, hunting, sports, "shot", "attack", "execute")."""
    from civicshield.detectors.threat import ThreatDetector

    rules = ThreatDetector()
    texts = ([e.text for e in detect_data.threatgram()["test"] if e.targets.get("threat") == 0]
             + [e.text for e in detect_data.edos()["test"] if e.targets.get("sexism") == 0]
             + [c["test_case"] for c in detect_data.hatecheck() if c["label_gold"] != "hateful"])
    lawful = [t for t in texts if LAWFUL_SENSE.search(t)]
    fired: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for text in texts:
        whys = {f.why for f in rules.detect_one(text) if f.label == "threat"}
        for why in whys:
            fired[why][0] += 1
            fired[why][1] += bool(LAWFUL_SENSE.search(text))
    rows = [f"Non-threats: {len(texts)} texts (ThreatGram test labelled not a threat, EDOS test "
            f"labelled not sexist, HateCheck's non-hateful cases), {len(lawful)} of them with "
            "words used in lawful senses. A rule that never fires is not listed.", "",
            "| rule (its reason) | flags among all | flags among the lawful-sense texts |",
            "|---|---:|---:|"]
    for why, (n, m) in sorted(fired.items(), key=lambda kv: -kv[1][0]):
        rows.append(f"| {why} | {n} ({n / len(texts):.2%}) | {m} ({m / max(len(lawful), 1):.2%}) |")
    total = sum(n for n, _ in fired.values())
    return rows, {"threat rules flags on non-threats": total / len(texts)}


#: Length buckets (words) for the gate's cost.
LENGTH_BUCKETS = ((0, 10), (11, 25), (26, 40), (41, 80), (81, 10_000))


def gate_table(model: ModelDetector) -> tuple[list[str], dict[str, float]]:
    """What the gate sets aside on each test split and the blind set, per length bucket, and
    what it costs: labelled threats it sets aside that the model alone would flag as threats,
    as a share of that bucket's labelled threats."""
    rows = ["| test set | words | texts | set aside | labelled threats | threats lost (recall "
            "cost) |", "|---|---|---:|---:|---:|---:|"]
    figures: dict[str, float] = {}
    gate = model.gate
    if gate is None:
        return ["No gate: every text is read by the model."], figures
    ungated = ModelDetector(MODEL_DIR, gated=False)
    threat_column = model.encoder.info.heads.index("threat")
    blind_cases = blind.cases()
    sources = [("ThreatGram test", [(e.text, e.targets.get("threat") == 1)
                                    for e in detect_data.threatgram()["test"]]),
               ("EDOS test", [(e.text, e.targets.get("threat") == 1)
                              for e in detect_data.edos()["test"]]),
               ("Davidson test", [(e.text, False) for e in detect_data.davidson()["test"]]),
               ("blind set v1", [(c["text"], c["kind"] == "threat") for c in blind_cases])]
    for name, examples in sources:
        texts = [t for t, _ in examples]
        passed = gate.passes(texts)
        set_aside = [i for i, ok in enumerate(passed) if not ok]
        served = ungated.probabilities([texts[i] for i in set_aside]) if set_aside else None
        would_flag = {i for row, i in enumerate(set_aside)
                      if served is not None and calibrated(
                          float(served[row, threat_column]), model.thresholds["threat"]) >= 0.5}
        worst = 0.0
        for low, high in LENGTH_BUCKETS:
            members = [i for i, t in enumerate(texts) if low <= len(t.split()) <= high]
            if not members:
                continue
            aside = [i for i in members if not passed[i]]
            threats = [i for i in members if examples[i][1]]
            lost = [i for i in threats if i in would_flag]
            cost = len(lost) / len(threats) if threats else 0.0
            worst = max(worst, cost)
            words = f"{low}-{high}" if high < 10_000 else f">{low - 1}"
            rows.append(f"| {name} | {words} | {len(members)} | {len(aside)} "
                        f"({len(aside) / len(members):.0%}) | {len(threats)} | {len(lost)} "
                        f"({cost:.1%}) |")
        figures[f"gate worst bucket cost {name}"] = worst
    return rows, figures


def blind_section(registry: DetectorRegistry) -> tuple[list[str], dict[str, float]]:
    """The blind set's tables (scripts/blind.py), read with its own fictional profile."""
    data = blind.cases()
    profile = ProtectedProfile.from_json((blind.BLIND / "profile-v1.json").read_text("utf-8"))
    return blind.blind_tables(flags_for(registry, [c["text"] for c in data], profile), data)


def timed(what: str, fn: Callable[[], tuple[list[str], dict[str, float]]]
          ) -> tuple[list[str], dict[str, float]]:
    started = time.perf_counter()
    result = fn()
    print(f"{what}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "evaluation.md")
    args = parser.parse_args()
    registry, _ = build_registry(load_settings({}))
    model = next(d for d in registry.active if isinstance(d, ModelDetector))
    manifest = read_manifest(MODEL_DIR)
    labels, label_figures = timed("test splits", lambda: label_table(registry, model))
    per_source, source_figures = timed("every source", lambda: source_table(registry))
    families, family_figures = timed("corpus families", lambda: corpus_families(registry))
    elsewhere, elsewhere_figures = timed("threats elsewhere",
                                         lambda: threat_elsewhere_table(registry))
    hatecheck, hc_figures = timed("HateCheck", lambda: hatecheck_table(registry))
    own, own_figures = timed("own sets", lambda: own_sets(registry))
    gated, gate_figures = timed("gate", lambda: gate_table(model))
    blind_rows, blind_figures = timed("blind set", lambda: blind_section(registry))
    exposure_rows, exposure_figures = timed("exposure scanner", exposure_sets)
    rule_rows, rule_figures = timed("threat rules on non-threats", rule_table)
    thresholds = ", ".join(f"{h} {manifest['heads_calibration'][h]['threshold']}"
                           for h in manifest["heads"])
    companions = ", ".join(f"{h} {c.threshold}" for h, c in
                           (model.companions.heads.items() if model.companions else ()))
    text = "\n".join([
        "# Evaluation",
        "",
        "Written by `make eval` (scripts/evaluate.py); do not edit by hand. "
        f"Run on {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, Python "
        f"{platform.python_version()}, model `{manifest['name']}` "
        f"(ONNX SHA-256 {manifest['onnx_sha256'][:16]}…).",
        "",
        "\"Stack\" is every built-in detector as `civicshield classify` runs them (trained model, "
        "rules, threat cues, profile matcher); \"model\" is the trained model alone as served "
        "(the fine-tuned network, with its lexical companion where a head has one); \"network\" "
        "is the fine-tuned network alone. A message is flagged when its score reaches 0.5; "
        "the network's thresholds were chosen on the validation "
        f"splits ({thresholds}), and so were the combined heads' ({companions or 'none'}), "
        "never on test data or HateCheck. Splits: ThreatGram and Davidson "
        f"70/15/15 stratified with seed {detect_data.SEED}; EDOS its own train/dev/test. "
        "F1 is for the positive class; macro F1 (both classes) is EDOS task A's official measure.",
        "",
        "## Labels on held-out test splits",
        "",
        *labels,
        "",
        "## Every training source's test split",
        "",
        "The stack on the held-out test split of each source the model learns from "
        "(scripts/detect_data.py; docs/models.md, \"Labels from each source\"), for each label "
        "that source has. These are in-domain figures: the model saw the other 70 % of each "
        "source. Leave-one-source-out figures, where it did not, are in "
        "[loso.md](loso.md). 95 % Wilson intervals.",
        "",
        *per_source,
        "",
        "## The project's corpus by family (training/corpus, test split)",
        "",
        "In-domain: written by the same hand as its training split.",
        "",
        *families,
        "",
        "## Threat flags outside ThreatGram",
        "",
        "ThreatGram is political Telegram. On EDOS's Reddit and Gab posts the threat label is "
        "known only for sexist posts (the annotators' category 1 is threats and plans to harm); "
        "posts labelled not sexist may hold real threats, so their share is an upper bound on "
        "false alarms, not a false-alarm rate.",
        "",
        *elsewhere,
        "",
        "## HateCheck (functional tests, evaluation only)",
        "",
        "A hateful case counts as correct when the stack flags threat, identity_attack, harassment "
        "or sexual_harassment; a non-hateful case when it flags none of them. Insult alone is not "
        "counted as hateful: HateCheck's non-hateful profanity is not aimed at a group.",
        "",
        *hatecheck,
        "",
        "## The project's own sets (tests/detectors/cases)",
        "",
        *own,
        "",
        "## Threat rules on the public sources' non-threats",
        "",
        *rule_rows,
        "",
        "## The exposure scanner (tests/exposure/cases)",
        "",
        "The scanner's matcher on a fictional council member's data in written variants, among "
        "decoys: neighbours, the same address in other towns and ZIPs, events on the street, "
        "the school's own news, order and case numbers holding the phone's digits, namesakes "
        "and public buildings; and the address split across the cells of a table row.",
        "",
        *exposure_rows,
        "",
        "## The frozen blind set (evaluation/blind, version 1)",
        "",
        "407 cases written before any detection change for issue 14 and frozen: "
        f"`blind-v1.jsonl` SHA-256 `{blind.FROZEN['blind-v1.jsonl']}`, `profile-v1.json` "
        f"SHA-256 `{blind.FROZEN['profile-v1.json']}` (evaluation/blind/README.md). Never "
        "used for training, thresholds or rules. Intervals are 95 % Wilson intervals; the set "
        "is small, so read them, not the point figures.",
        "",
        *blind_rows,
        "",
        "## The gate (what the model skips)",
        "",
        "The stack above runs with the gate (detectors/gate.py) that sets aside texts the model "
        "would have nothing to flag in; every text of more than 25 words is also read sentence "
        "by sentence. Per test set and length: what it set aside, and what it costs: labelled "
        "threats it set aside that the model alone, without the gate, would flag as threats.",
        "",
        *gated,
        "",
    ])
    args.out.write_text(text, encoding="utf-8")
    for name, value in {**label_figures, **source_figures, **family_figures,
                        **elsewhere_figures, **hc_figures, **own_figures,
                        **gate_figures, **blind_figures, **exposure_figures,
                        **rule_figures}.items():
        print(f"{name:32} {value:.3f}")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
