"""Presidio parts that run with no network and no downloaded model.

Presidio's `SpacyNlpEngine` loads `en_core_web_lg` by default and calls
`spacy.cli.download` when the model is missing, and its e-mail recogniser calls
`tldextract`, which fetches the public suffix list on first use and caches it
under the home directory. The classes here replace both: the NLP engine is
spaCy's blank English pipeline (a tokenizer only), and the domain check uses
the suffix list snapshot that ships inside the tldextract package.
"""

from functools import lru_cache

import spacy
import tldextract
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

LANGUAGE = "en"


class BlankSpacyNlpEngine(SpacyNlpEngine):
    """Presidio NLP engine on `spacy.blank("en")`, with no named entities.

    `load` never calls `spacy.load` or `spacy.cli.download`, so no model name is
    ever looked up. The pipeline only tokenizes: it has no lemmas, no parts of
    speech and no entities, so every entity comes from the project's own
    recognisers.
    """

    def __init__(self) -> None:
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": "blank"}],
            ner_model_configuration=NerModelConfiguration(),
        )

    def load(self) -> None:
        """Create the blank English pipeline."""
        self.nlp = {LANGUAGE: spacy.blank(LANGUAGE)}  # type: ignore[assignment]


@lru_cache(maxsize=1)
def offline_domain_extractor() -> tldextract.TLDExtract:
    """Return a tldextract extractor that reads only its bundled suffix list.

    An empty `suffix_list_urls` makes tldextract skip the download, and
    `cache_dir=None` stops it writing a cache file anywhere.
    """
    return tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True
    )


def has_public_suffix(text: str) -> bool:
    """Tell whether the domain in `text` ends in a known public suffix."""
    return offline_domain_extractor()(text).suffix != ""
