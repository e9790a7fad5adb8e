"""The redaction benchmark script: generation is reproducible, slots line up
with their values, and the table prints."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from directory.redaction import RedactionEngine

SCRIPT = Path(__file__).resolve().parents[2] / "eval" / "redaction" / "benchmark.py"


@pytest.fixture(scope="module")
def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("redaction_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_same_seed_same_messages(
    benchmark: ModuleType, engine: RedactionEngine
) -> None:
    pools = benchmark.unlisted_first_names(engine)
    templates = benchmark.read_templates(benchmark.HERE / "templates_test.txt")
    first = benchmark.Generator(7, pools)
    second = benchmark.Generator(7, pools)
    for template in templates:
        assert first.sample("t", template) == second.sample("t", template)


def test_slots_match_values(benchmark: ModuleType, engine: RedactionEngine) -> None:
    pools = benchmark.unlisted_first_names(engine)
    generator = benchmark.Generator(7, pools)
    sample = generator.sample("t", "ring {phone} or email {email} in {town}")
    kinds = [span.kind for span in sample.spans]
    assert kinds == ["PHONE", "EMAIL", "KEPT"]
    for span in sample.spans:
        value = sample.text[span.start : span.end]
        assert value.strip() == value
        assert value


def test_unlisted_names_unknown(benchmark: ModuleType, engine: RedactionEngine) -> None:
    pools = benchmark.unlisted_first_names(engine)
    names = [name.lower() for pool in pools.values() for name in pool]
    assert len(names) > 100
    assert not set(names) & engine.lexicon.first_names


def test_templates_split_apart(benchmark: ModuleType) -> None:
    train = benchmark.read_templates(benchmark.HERE / "templates_train.txt")
    test = benchmark.read_templates(benchmark.HERE / "templates_test.txt")
    assert len(train) >= 30
    assert len(test) >= 30
    assert not set(train) & set(test)


def test_table_printed(
    benchmark: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert benchmark.main(["--per-template", "2", "--split", "test"]) == 0
    output = capsys.readouterr().out
    assert "test: " in output
    assert "PHONE" in output
    assert "kept words left alone" in output
