"""Inference of a fine-tuned sentence encoder with one sigmoid output per label.

The situation classifier averages the probabilities of this model with its own.
The model is all-MiniLM-L6-v2 (a BERT encoder) fine-tuned with a linear head
over the mean of its token vectors. The Rasa environment has no PyTorch, so
this module runs the forward pass in numpy and reimplements the Hugging Face
BERT uncased tokenizer. Training writes two files to the model folder:
``encoder.npz`` with the ``BertModel.state_dict()`` arrays plus ``head.weight``
and ``head.bias``, and ``encoder.json`` with the labels, the vocabulary in id
order and the other ``SETTINGS_FIELDS``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any, Dict, List, Mapping, NamedTuple, Set

import numpy as np
from scipy.special import erf, expit

ENCODER_FILES = ("encoder.npz", "encoder.json")
SETTINGS_FIELDS = (
    "labels",
    "vocab",
    "max_length",
    "num_heads",
    "layer_norm_eps",
    "lowercase",
)

CLS_TOKEN = "[CLS]"
SEP_TOKEN = "[SEP]"
UNK_TOKEN = "[UNK]"
CONTINUATION_PREFIX = "##"
# Longer words become one unknown token, as in Hugging Face's WordPiece.
MAX_WORD_CHARS = 100

# The tokenizer.json of all-MiniLM-L6-v2 lists these as special tokens with
# "normalized": false. Hugging Face tokenizers therefore match them in the raw
# input, case-sensitive, so "[SEP]" typed in a message stays one token.
SPECIAL_TOKENS = ("[PAD]", UNK_TOKEN, CLS_TOKEN, SEP_TOKEN, "[MASK]")

# CJK ideograph blocks that BertNormalizer in Hugging Face tokenizers
# (src/normalizers/bert.rs) surrounds with spaces. The Python BertTokenizer
# starts the fifth range at 0x2B820, which matters only for rare ideographs.
CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B920, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)

_LAYER_INDEX = re.compile(r"^encoder\.layer\.(\d+)\.")

_EMBEDDING_KEYS = (
    "embeddings.word_embeddings.weight",
    "embeddings.position_embeddings.weight",
    "embeddings.token_type_embeddings.weight",
    "embeddings.LayerNorm.weight",
    "embeddings.LayerNorm.bias",
    "head.weight",
    "head.bias",
)

_LAYER_KEYS = (
    "attention.self.query.weight",
    "attention.self.query.bias",
    "attention.self.key.weight",
    "attention.self.key.bias",
    "attention.self.value.weight",
    "attention.self.value.bias",
    "attention.output.dense.weight",
    "attention.output.dense.bias",
    "attention.output.LayerNorm.weight",
    "attention.output.LayerNorm.bias",
    "intermediate.dense.weight",
    "intermediate.dense.bias",
    "output.dense.weight",
    "output.dense.bias",
    "output.LayerNorm.weight",
    "output.LayerNorm.bias",
)


# Unassigned code points (category Cn) are kept, because the Rust tokenizer's
# is_other() covers only Cc, Cf and Co, though the Python BertTokenizer drops
# them. Lone surrogates (Cs) cannot occur in a Rust string and are dropped.
# NOTE: Python's unicodedata follows a newer Unicode version than the Rust
# tables, so a few hundred rare recent characters (such as U+2E43) differ.
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char) in _CONTROL_CATEGORIES


def _is_whitespace(char: str) -> bool:
    # For characters that are not control characters, str.isspace matches the
    # Unicode White_Space property (Rust's char::is_whitespace).
    return char in "\t\n\r" or char.isspace()


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in CJK_RANGES)


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def normalize(text: str, lowercase: bool = True) -> str:
    """Clean the text and space out CJK ideographs as BertNormalizer does.

    With ``lowercase``, also strip accents (NFD, then drop nonspacing marks)
    and lowercase each character on its own, as the Rust BertNormalizer does.
    """
    characters: List[str] = []
    for char in text:
        if char in ("\x00", "\ufffd") or _is_control(char):
            continue
        if _is_whitespace(char):
            characters.append(" ")
        elif _is_cjk(char):
            characters.extend((" ", char, " "))
        else:
            characters.append(char)
    normalized = "".join(characters)

    if lowercase:
        decomposed = unicodedata.normalize("NFD", normalized)
        normalized = "".join(
            char.lower() for char in decomposed if unicodedata.category(char) != "Mn"
        )
    return normalized


def split_words(text: str) -> List[str]:
    """Split normalized text on whitespace and isolate each punctuation mark."""
    words: List[str] = []
    for chunk in text.split():
        start = 0
        for index, char in enumerate(chunk):
            if _is_punctuation(char):
                if index > start:
                    words.append(chunk[start:index])
                words.append(char)
                start = index + 1
        if start < len(chunk):
            words.append(chunk[start:])
    return words


class WordPieceTokenizer:
    """The BERT tokenizer: normalization, word splitting and WordPiece."""

    def __init__(self, vocab: List[str], lowercase: bool) -> None:
        self.token_to_id: Dict[str, int] = {
            token: index for index, token in enumerate(vocab)
        }
        self.lowercase = lowercase
        missing = [
            token
            for token in (CLS_TOKEN, SEP_TOKEN, UNK_TOKEN)
            if token not in self.token_to_id
        ]
        if missing:
            raise ValueError(
                f"The encoder vocabulary is missing the special tokens {missing}."
            )
        specials = [token for token in SPECIAL_TOKENS if token in self.token_to_id]
        self.special_tokens = frozenset(specials)
        self.special_pattern = "(" + "|".join(map(re.escape, specials)) + ")"

    def tokenize(self, text: str) -> List[str]:
        """Split the text into WordPiece tokens, without ``[CLS]`` and ``[SEP]``.

        Special tokens written verbatim in the text stay whole.
        """
        tokens: List[str] = []
        for part in re.split(self.special_pattern, text):
            if part in self.special_tokens:
                tokens.append(part)
                continue
            for word in split_words(normalize(part, self.lowercase)):
                tokens.extend(self.word_pieces(word))
        return tokens

    def word_pieces(self, word: str) -> List[str]:
        """Split one word greedily into the longest vocabulary pieces.

        A word longer than ``MAX_WORD_CHARS`` or without a full segmentation
        becomes a single ``[UNK]``.
        """
        if len(word) > MAX_WORD_CHARS:
            return [UNK_TOKEN]
        pieces: List[str] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end]
                if start > 0:
                    piece = CONTINUATION_PREFIX + piece
                if piece in self.token_to_id:
                    break
                end -= 1
            else:
                return [UNK_TOKEN]
            pieces.append(piece)
            start = end
        return pieces


class _Layer(NamedTuple):
    """One encoder layer's weights, transposed for ``x @ weight + bias``."""

    qkv_weight: np.ndarray
    qkv_bias: np.ndarray
    attention_output_weight: np.ndarray
    attention_output_bias: np.ndarray
    attention_norm_weight: np.ndarray
    attention_norm_bias: np.ndarray
    intermediate_weight: np.ndarray
    intermediate_bias: np.ndarray
    output_weight: np.ndarray
    output_bias: np.ndarray
    output_norm_weight: np.ndarray
    output_norm_bias: np.ndarray


def _layer_norm(
    values: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float
) -> np.ndarray:
    mean = values.mean(axis=-1, keepdims=True)
    centered = values - mean
    variance = (centered * centered).mean(axis=-1, keepdims=True)
    return centered / np.sqrt(variance + eps) * weight + bias


def _gelu(values: np.ndarray) -> np.ndarray:
    return 0.5 * values * (1.0 + erf(values / math.sqrt(2.0)))


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _float32(array: np.ndarray, transpose: bool = False) -> np.ndarray:
    converted = np.asarray(array, dtype=np.float32)
    if transpose:
        converted = converted.T
    return np.ascontiguousarray(converted)


def _layer_count(weights: Mapping[str, np.ndarray]) -> int:
    indices: Set[int] = set()
    for key in weights:
        match = _LAYER_INDEX.match(key)
        if match:
            indices.add(int(match.group(1)))
    if not indices or indices != set(range(len(indices))):
        raise ValueError(
            "encoder.npz must contain encoder layers numbered from 0 without "
            f"gaps, but it contains layers {sorted(indices)}."
        )
    return len(indices)


def _check_shapes(
    weights: Mapping[str, np.ndarray], layer_count: int, hidden_size: int
) -> None:
    intermediate_size = weights["encoder.layer.0.intermediate.dense.weight"].shape[0]
    positions = weights["embeddings.position_embeddings.weight"].shape[0]
    token_types = weights["embeddings.token_type_embeddings.weight"].shape[0]
    expected = {
        "embeddings.position_embeddings.weight": (positions, hidden_size),
        "embeddings.token_type_embeddings.weight": (token_types, hidden_size),
        "embeddings.LayerNorm.weight": (hidden_size,),
        "embeddings.LayerNorm.bias": (hidden_size,),
    }
    for index in range(layer_count):
        prefix = f"encoder.layer.{index}."
        for name in ("query", "key", "value"):
            expected[f"{prefix}attention.self.{name}.weight"] = (
                hidden_size,
                hidden_size,
            )
            expected[f"{prefix}attention.self.{name}.bias"] = (hidden_size,)
        expected[f"{prefix}attention.output.dense.weight"] = (hidden_size, hidden_size)
        expected[f"{prefix}intermediate.dense.weight"] = (
            intermediate_size,
            hidden_size,
        )
        expected[f"{prefix}intermediate.dense.bias"] = (intermediate_size,)
        expected[f"{prefix}output.dense.weight"] = (hidden_size, intermediate_size)
        for name in (
            "attention.output.dense.bias",
            "attention.output.LayerNorm.weight",
            "attention.output.LayerNorm.bias",
            "output.dense.bias",
            "output.LayerNorm.weight",
            "output.LayerNorm.bias",
        ):
            expected[prefix + name] = (hidden_size,)
    for key, shape in expected.items():
        if weights[key].shape != shape:
            raise ValueError(
                f"encoder.npz array {key} has shape {weights[key].shape}, "
                f"expected {shape}."
            )


class SentenceClassifier:
    """A fine-tuned sentence encoder with one sigmoid output per label."""

    labels: List[str]

    def __init__(
        self, weights: Mapping[str, np.ndarray], settings: Mapping[str, Any]
    ) -> None:
        """Validate the exported arrays and settings and prepare them for inference.

        Raises ``ValueError`` when a setting or an array is missing or when the
        array shapes do not fit together.
        """
        missing_fields = [name for name in SETTINGS_FIELDS if name not in settings]
        if missing_fields:
            raise ValueError(
                f"encoder.json is missing the fields {missing_fields}. "
                "Run `make train` to export the encoder again."
            )
        layer_count = _layer_count(weights)
        required = list(_EMBEDDING_KEYS) + [
            f"encoder.layer.{index}.{name}"
            for index in range(layer_count)
            for name in _LAYER_KEYS
        ]
        missing_keys = [key for key in required if key not in weights]
        if missing_keys:
            raise ValueError(f"encoder.npz is missing the arrays {missing_keys}.")

        self.labels = [str(label) for label in settings["labels"]]
        vocab = [str(token) for token in settings["vocab"]]
        self.max_length = int(settings["max_length"])
        self.num_heads = int(settings["num_heads"])
        self.layer_norm_eps = float(settings["layer_norm_eps"])
        self.tokenizer = WordPieceTokenizer(vocab, bool(settings["lowercase"]))
        self.cls_id = self.tokenizer.token_to_id[CLS_TOKEN]
        self.sep_id = self.tokenizer.token_to_id[SEP_TOKEN]

        word_embeddings = weights["embeddings.word_embeddings.weight"]
        position_embeddings = weights["embeddings.position_embeddings.weight"]
        head_weight = weights["head.weight"]
        if word_embeddings.ndim != 2:
            raise ValueError(
                "embeddings.word_embeddings.weight must be a matrix, but it has "
                f"shape {word_embeddings.shape}."
            )
        hidden_size = word_embeddings.shape[1]
        if len(vocab) > word_embeddings.shape[0]:
            raise ValueError(
                f"encoder.json has {len(vocab)} vocabulary tokens but the word "
                f"embeddings have only {word_embeddings.shape[0]} rows."
            )
        if not 2 <= self.max_length <= position_embeddings.shape[0]:
            raise ValueError(
                f"max_length {self.max_length} is out of range. It must be between "
                f"2 and {position_embeddings.shape[0]}, the number of position "
                "embeddings."
            )
        if self.num_heads < 1 or hidden_size % self.num_heads:
            raise ValueError(
                f"num_heads {self.num_heads} does not divide the hidden size "
                f"{hidden_size}."
            )
        if head_weight.shape != (len(self.labels), hidden_size):
            raise ValueError(
                f"head.weight has shape {head_weight.shape} but encoder.json lists "
                f"{len(self.labels)} labels and the hidden size is {hidden_size}."
            )
        if weights["head.bias"].shape != (len(self.labels),):
            raise ValueError(
                f"head.bias has shape {weights['head.bias'].shape} but encoder.json "
                f"lists {len(self.labels)} labels."
            )
        _check_shapes(weights, layer_count, hidden_size)

        self.hidden_size = hidden_size
        self.word_embeddings = _float32(word_embeddings)
        self.position_embeddings = _float32(position_embeddings[: self.max_length])
        # Every token has token type 0, because a message is a single segment.
        self.token_type_embedding = _float32(
            weights["embeddings.token_type_embeddings.weight"][0]
        )
        self.embedding_norm_weight = _float32(weights["embeddings.LayerNorm.weight"])
        self.embedding_norm_bias = _float32(weights["embeddings.LayerNorm.bias"])
        self.layers = [
            self._prepare_layer(weights, f"encoder.layer.{index}.")
            for index in range(layer_count)
        ]
        self.head_weight = _float32(head_weight, transpose=True)
        self.head_bias = _float32(weights["head.bias"])

    @staticmethod
    def _prepare_layer(weights: Mapping[str, np.ndarray], prefix: str) -> _Layer:
        # One matrix product computes query, key and value. Columns [0, h) are
        # the queries, [h, 2h) the keys and [2h, 3h) the values.
        qkv_weight = np.concatenate(
            [
                _float32(weights[f"{prefix}attention.self.{name}.weight"], True)
                for name in ("query", "key", "value")
            ],
            axis=1,
        )
        qkv_bias = np.concatenate(
            [
                _float32(weights[f"{prefix}attention.self.{name}.bias"])
                for name in ("query", "key", "value")
            ]
        )
        return _Layer(
            qkv_weight=qkv_weight,
            qkv_bias=qkv_bias,
            attention_output_weight=_float32(
                weights[f"{prefix}attention.output.dense.weight"], True
            ),
            attention_output_bias=_float32(
                weights[f"{prefix}attention.output.dense.bias"]
            ),
            attention_norm_weight=_float32(
                weights[f"{prefix}attention.output.LayerNorm.weight"]
            ),
            attention_norm_bias=_float32(
                weights[f"{prefix}attention.output.LayerNorm.bias"]
            ),
            intermediate_weight=_float32(
                weights[f"{prefix}intermediate.dense.weight"], True
            ),
            intermediate_bias=_float32(weights[f"{prefix}intermediate.dense.bias"]),
            output_weight=_float32(weights[f"{prefix}output.dense.weight"], True),
            output_bias=_float32(weights[f"{prefix}output.dense.bias"]),
            output_norm_weight=_float32(weights[f"{prefix}output.LayerNorm.weight"]),
            output_norm_bias=_float32(weights[f"{prefix}output.LayerNorm.bias"]),
        )

    @classmethod
    def load(cls, directory: Path) -> SentenceClassifier:
        """Read ``encoder.npz`` and ``encoder.json`` from the folder.

        Raises ``FileNotFoundError`` when either file is missing and
        ``ValueError`` when their contents do not fit together.
        """
        weights_path, settings_path = (
            _require_file(directory, name) for name in ENCODER_FILES
        )
        with np.load(weights_path) as archive:
            weights = {key: archive[key] for key in archive.files}
        settings = json.loads(settings_path.read_text(encoding="utf-8"))
        if not isinstance(settings, dict):
            raise ValueError(f"{settings_path} must contain a JSON object.")
        return cls(weights, settings)

    def token_ids(self, text: str) -> List[int]:
        """Tokenize the text into ids with ``[CLS]`` and ``[SEP]`` added.

        Word pieces past the first ``max_length - 2`` are dropped, so that
        ``[SEP]`` stays last, as in Hugging Face truncation.
        """
        token_to_id = self.tokenizer.token_to_id
        pieces = self.tokenizer.tokenize(text)[: self.max_length - 2]
        return [self.cls_id] + [token_to_id[piece] for piece in pieces] + [self.sep_id]

    def probabilities(self, text: str) -> Dict[str, float]:
        """Run the encoder and the head on the text and map labels to probabilities."""
        pooled = self._encode(self.token_ids(text))
        logits = pooled @ self.head_weight + self.head_bias
        probabilities = expit(logits.astype(np.float64)).tolist()
        return dict(zip(self.labels, probabilities, strict=True))

    def _encode(self, ids: List[int]) -> np.ndarray:
        """Compute the mean of the last layer's token vectors."""
        hidden = (
            self.word_embeddings[ids]
            + self.token_type_embedding
            + self.position_embeddings[: len(ids)]
        )
        hidden = _layer_norm(
            hidden,
            self.embedding_norm_weight,
            self.embedding_norm_bias,
            self.layer_norm_eps,
        )
        for layer in self.layers:
            hidden = self._run_layer(hidden, layer)
        return hidden.mean(axis=0)

    def _run_layer(self, hidden: np.ndarray, layer: _Layer) -> np.ndarray:
        """Apply self-attention and the feed-forward block of one layer."""
        length = hidden.shape[0]
        head_size = self.hidden_size // self.num_heads
        qkv = hidden @ layer.qkv_weight + layer.qkv_bias
        # Shape (3, heads, tokens, head_size), so each head attends on its own.
        query, key, value = qkv.reshape(length, 3, self.num_heads, head_size).transpose(
            1, 2, 0, 3
        )
        scores = query @ key.transpose(0, 2, 1) / math.sqrt(head_size)
        context = _softmax(scores) @ value
        context = context.transpose(1, 0, 2).reshape(length, self.hidden_size)

        attended = context @ layer.attention_output_weight + layer.attention_output_bias
        hidden = _layer_norm(
            attended + hidden,
            layer.attention_norm_weight,
            layer.attention_norm_bias,
            self.layer_norm_eps,
        )
        intermediate = _gelu(
            hidden @ layer.intermediate_weight + layer.intermediate_bias
        )
        output = intermediate @ layer.output_weight + layer.output_bias
        return _layer_norm(
            output + hidden,
            layer.output_norm_weight,
            layer.output_norm_bias,
            self.layer_norm_eps,
        )


def _require_file(directory: Path, name: str) -> Path:
    path = Path(directory) / name
    if not path.is_file():
        raise FileNotFoundError(
            f"The sentence encoder file {path} was not found. "
            "Run `make train` to create it."
        )
    return path


def fingerprint(directory: Path) -> str:
    """Hash both encoder files with SHA-256, as a key for training caches."""
    digest = hashlib.sha256()
    for name in ENCODER_FILES:
        with _require_file(directory, name).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
