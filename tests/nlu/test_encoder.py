"""The numpy sentence encoder: tokenizer, forward pass and model files."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest

from nlu.components.encoder import (
    ENCODER_FILES,
    SentenceClassifier,
    WordPieceTokenizer,
    fingerprint,
)

VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "the",
    "man",
    "shout",
    "##ed",
    "##ing",
    "at",
    "me",
    "on",
    "bus",
    "cafe",
    "un",
    "##kind",
    "a",
    "##a",
    "!",
    ",",
    "?",
    "[",
    "]",
    "中",
    "hello",
]
LABELS = ["characteristic:race", "incident_type:verbal_abuse", "urgency:danger_now"]
HIDDEN_SIZE = 8
NUM_HEADS = 2
NUM_LAYERS = 2
INTERMEDIATE_SIZE = 16
MAX_POSITIONS = 16
MAX_LENGTH = 10
LAYER_NORM_EPS = 1e-12


def random_weights(seed: int = 7) -> Dict[str, np.ndarray]:
    """Build a tiny random BERT with a classification head, PyTorch-shaped."""
    rng = np.random.default_rng(seed)
    arrays: Dict[str, np.ndarray] = {}

    def normal(*shape: int, scale: float = 0.5) -> np.ndarray:
        return rng.normal(scale=scale, size=shape).astype(np.float32)

    def linear(name: str, out_size: int, in_size: int) -> None:
        arrays[f"{name}.weight"] = normal(out_size, in_size)
        arrays[f"{name}.bias"] = normal(out_size, scale=0.1)

    def layer_norm(name: str) -> None:
        arrays[f"{name}.weight"] = 1.0 + normal(HIDDEN_SIZE, scale=0.1)
        arrays[f"{name}.bias"] = normal(HIDDEN_SIZE, scale=0.1)

    arrays["embeddings.word_embeddings.weight"] = normal(
        len(VOCAB), HIDDEN_SIZE, scale=1.0
    )
    arrays["embeddings.position_embeddings.weight"] = normal(MAX_POSITIONS, HIDDEN_SIZE)
    arrays["embeddings.token_type_embeddings.weight"] = normal(2, HIDDEN_SIZE)
    layer_norm("embeddings.LayerNorm")
    for index in range(NUM_LAYERS):
        prefix = f"encoder.layer.{index}."
        for name in ("query", "key", "value"):
            linear(f"{prefix}attention.self.{name}", HIDDEN_SIZE, HIDDEN_SIZE)
        linear(f"{prefix}attention.output.dense", HIDDEN_SIZE, HIDDEN_SIZE)
        layer_norm(f"{prefix}attention.output.LayerNorm")
        linear(f"{prefix}intermediate.dense", INTERMEDIATE_SIZE, HIDDEN_SIZE)
        linear(f"{prefix}output.dense", HIDDEN_SIZE, INTERMEDIATE_SIZE)
        layer_norm(f"{prefix}output.LayerNorm")
    # The pooler is exported but not used by the classifier.
    linear("pooler.dense", HIDDEN_SIZE, HIDDEN_SIZE)
    linear("head", len(LABELS), HIDDEN_SIZE)
    return arrays


def settings() -> Dict[str, object]:
    return {
        "labels": LABELS,
        "vocab": VOCAB,
        "max_length": MAX_LENGTH,
        "num_heads": NUM_HEADS,
        "layer_norm_eps": LAYER_NORM_EPS,
        "lowercase": True,
    }


def write_model(
    directory: Path, weights: Dict[str, np.ndarray], config: Dict[str, object]
) -> Path:
    np.savez(directory / "encoder.npz", **weights)
    (directory / "encoder.json").write_text(json.dumps(config))
    return directory


def reference_probabilities(
    weights: Dict[str, np.ndarray], ids: List[int]
) -> np.ndarray:
    """Run the classifier in float64 with one explicit loop over the heads."""
    float64_weights = {key: value.astype(np.float64) for key, value in weights.items()}
    erf = np.vectorize(math.erf)

    def linear(values: np.ndarray, name: str) -> np.ndarray:
        return (
            values @ float64_weights[f"{name}.weight"].T
            + float64_weights[f"{name}.bias"]
        )

    def layer_norm(values: np.ndarray, name: str) -> np.ndarray:
        mean = values.mean(axis=1, keepdims=True)
        variance = values.var(axis=1, keepdims=True)
        normalized = (values - mean) / np.sqrt(variance + LAYER_NORM_EPS)
        return (
            normalized * float64_weights[f"{name}.weight"]
            + float64_weights[f"{name}.bias"]
        )

    length = len(ids)
    hidden = (
        float64_weights["embeddings.word_embeddings.weight"][ids]
        + float64_weights["embeddings.token_type_embeddings.weight"][0]
        + float64_weights["embeddings.position_embeddings.weight"][:length]
    )
    hidden = layer_norm(hidden, "embeddings.LayerNorm")
    head_size = HIDDEN_SIZE // NUM_HEADS
    for index in range(NUM_LAYERS):
        prefix = f"encoder.layer.{index}."
        query = linear(hidden, f"{prefix}attention.self.query")
        key = linear(hidden, f"{prefix}attention.self.key")
        value = linear(hidden, f"{prefix}attention.self.value")
        head_outputs = []
        for head in range(NUM_HEADS):
            columns = slice(head * head_size, (head + 1) * head_size)
            scores = query[:, columns] @ key[:, columns].T / math.sqrt(head_size)
            exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
            attention = exponentials / exponentials.sum(axis=1, keepdims=True)
            head_outputs.append(attention @ value[:, columns])
        context = np.concatenate(head_outputs, axis=1)
        attended = linear(context, f"{prefix}attention.output.dense")
        hidden = layer_norm(attended + hidden, f"{prefix}attention.output.LayerNorm")
        intermediate = linear(hidden, f"{prefix}intermediate.dense")
        intermediate = 0.5 * intermediate * (1.0 + erf(intermediate / math.sqrt(2)))
        output = linear(intermediate, f"{prefix}output.dense")
        hidden = layer_norm(output + hidden, f"{prefix}output.LayerNorm")
    pooled = hidden.mean(axis=0)
    logits = pooled @ float64_weights["head.weight"].T + float64_weights["head.bias"]
    return 1.0 / (1.0 + np.exp(-logits))


@pytest.fixture
def weights() -> Dict[str, np.ndarray]:
    return random_weights()


@pytest.fixture
def model_dir(tmp_path: Path, weights: Dict[str, np.ndarray]) -> Path:
    return write_model(tmp_path, weights, settings())


@pytest.fixture
def classifier(model_dir: Path) -> SentenceClassifier:
    return SentenceClassifier.load(model_dir)


def token_id(token: str) -> int:
    return VOCAB.index(token)


def test_tokenize_lowercases_words(classifier: SentenceClassifier) -> None:
    assert classifier.tokenizer.tokenize("THE Man") == ["the", "man"]


def test_tokenize_strips_accents(classifier: SentenceClassifier) -> None:
    assert classifier.tokenizer.tokenize("Café") == ["cafe"]
    assert classifier.tokenizer.tokenize("CAFÉ") == ["cafe"]
    assert classifier.tokenizer.tokenize("cafe\u0301") == ["cafe"]


def test_tokenize_splits_punctuation(classifier: SentenceClassifier) -> None:
    tokens = classifier.tokenizer.tokenize("me!the,man?")

    assert tokens == ["me", "!", "the", ",", "man", "?"]


def test_tokenize_uses_continuation_pieces(classifier: SentenceClassifier) -> None:
    assert classifier.tokenizer.tokenize("shouted") == ["shout", "##ed"]
    assert classifier.tokenizer.tokenize("shouting") == ["shout", "##ing"]
    assert classifier.tokenizer.tokenize("unkind") == ["un", "##kind"]


def test_tokenize_unknown_word(classifier: SentenceClassifier) -> None:
    assert classifier.tokenizer.tokenize("zebra") == ["[UNK]"]
    # A word whose start is known but whose rest is not becomes one [UNK].
    assert classifier.tokenizer.tokenize("busy") == ["[UNK]"]
    assert classifier.tokenizer.tokenize("the zebra") == ["the", "[UNK]"]


def test_tokenize_long_word_unknown(classifier: SentenceClassifier) -> None:
    longest = classifier.tokenizer.tokenize("a" * 100)

    assert longest == ["a"] + ["##a"] * 99
    assert classifier.tokenizer.tokenize("a" * 101) == ["[UNK]"]


def test_tokenize_drops_control_characters(classifier: SentenceClassifier) -> None:
    tokens = classifier.tokenizer.tokenize("bu\x00s\u200b m\x07e\ufffd")

    assert tokens == ["bus", "me"]
    # The Rust tokenizer keeps unassigned code points such as U+2065.
    assert classifier.tokenizer.tokenize("me\u2065") == ["[UNK]"]


def test_tokenize_maps_whitespace(classifier: SentenceClassifier) -> None:
    tokens = classifier.tokenizer.tokenize("\tthe\nman\u00a0at\u2028me\r\n")

    assert tokens == ["the", "man", "at", "me"]


def test_tokenize_isolates_cjk_ideographs(classifier: SentenceClassifier) -> None:
    assert classifier.tokenizer.tokenize("the中man") == ["the", "中", "man"]


def test_tokenize_keeps_special_tokens(classifier: SentenceClassifier) -> None:
    assert classifier.tokenizer.tokenize("the[MASK]man") == ["the", "[MASK]", "man"]
    assert classifier.tokenizer.tokenize("[mask]") == ["[", "[UNK]", "]"]


def test_tokenize_cased_keeps_case_and_accents() -> None:
    tokenizer = WordPieceTokenizer(VOCAB, lowercase=False)

    assert tokenizer.tokenize("the man") == ["the", "man"]
    assert tokenizer.tokenize("The") == ["[UNK]"]
    assert tokenizer.tokenize("café") == ["[UNK]"]


def test_token_ids_add_cls_and_sep(classifier: SentenceClassifier) -> None:
    ids = classifier.token_ids("The man shouted!")

    assert ids == [
        token_id("[CLS]"),
        token_id("the"),
        token_id("man"),
        token_id("shout"),
        token_id("##ed"),
        token_id("!"),
        token_id("[SEP]"),
    ]


def test_token_ids_truncate_to_max_length(classifier: SentenceClassifier) -> None:
    text = "the man shouted at me on the bus , hello unkind"
    pieces = classifier.tokenizer.tokenize(text)

    ids = classifier.token_ids(text)

    assert len(pieces) > MAX_LENGTH
    assert len(ids) == MAX_LENGTH
    assert ids[0] == token_id("[CLS]")
    assert ids[-1] == token_id("[SEP]")
    assert ids[1:-1] == [token_id(piece) for piece in pieces[: MAX_LENGTH - 2]]


def test_token_ids_empty_text(classifier: SentenceClassifier) -> None:
    only_special = [token_id("[CLS]"), token_id("[SEP]")]

    assert classifier.token_ids("") == only_special
    assert classifier.token_ids(" \t\n ") == only_special


@pytest.mark.parametrize("text", ["the man shouted at me", "", "   "])
def test_probabilities_cover_labels(classifier: SentenceClassifier, text: str) -> None:
    probabilities = classifier.probabilities(text)

    assert list(probabilities) == LABELS
    for label in LABELS:
        assert 0.0 < probabilities[label] < 1.0, label


@pytest.mark.parametrize(
    "text",
    [
        "the man shouted at me on the bus",
        "Hello!",
        "",
        "the man shouted at me on the bus , hello unkind zebra",
    ],
)
def test_probabilities_match_reference(
    classifier: SentenceClassifier, weights: Dict[str, np.ndarray], text: str
) -> None:
    expected = reference_probabilities(weights, classifier.token_ids(text))

    probabilities = classifier.probabilities(text)

    for label, value in zip(LABELS, expected, strict=True):
        assert probabilities[label] == pytest.approx(value, abs=1e-5), label


def test_probabilities_survive_pickle(classifier: SentenceClassifier) -> None:
    text = "the man shouted at me"
    restored = pickle.loads(pickle.dumps(classifier))

    assert restored.probabilities(text) == classifier.probabilities(text)
    assert restored.token_ids(text) == classifier.token_ids(text)


@pytest.mark.parametrize("missing", ENCODER_FILES)
def test_load_missing_file_raises(model_dir: Path, missing: str) -> None:
    (model_dir / missing).unlink()

    with pytest.raises(FileNotFoundError, match="make train") as raised:
        SentenceClassifier.load(model_dir)
    assert missing in str(raised.value)


def test_load_wrong_head_size_raises(
    tmp_path: Path, weights: Dict[str, np.ndarray]
) -> None:
    weights["head.weight"] = np.zeros((len(LABELS) + 1, HIDDEN_SIZE), np.float32)
    weights["head.bias"] = np.zeros(len(LABELS) + 1, np.float32)
    write_model(tmp_path, weights, settings())

    with pytest.raises(ValueError, match="head.weight"):
        SentenceClassifier.load(tmp_path)


def test_load_missing_field_raises(
    tmp_path: Path, weights: Dict[str, np.ndarray]
) -> None:
    config = settings()
    del config["num_heads"]
    write_model(tmp_path, weights, config)

    with pytest.raises(ValueError, match="num_heads"):
        SentenceClassifier.load(tmp_path)


def test_load_missing_array_raises(
    tmp_path: Path, weights: Dict[str, np.ndarray]
) -> None:
    del weights["encoder.layer.1.output.dense.bias"]
    write_model(tmp_path, weights, settings())

    with pytest.raises(ValueError, match="encoder.layer.1.output.dense.bias"):
        SentenceClassifier.load(tmp_path)


def test_fingerprint_follows_file_contents(model_dir: Path) -> None:
    before = fingerprint(model_dir)
    repeated = fingerprint(model_dir)
    config = settings()
    config["max_length"] = MAX_LENGTH - 1
    (model_dir / "encoder.json").write_text(json.dumps(config))

    after = fingerprint(model_dir)

    assert len(before) == 64
    assert repeated == before
    assert after != before
