"""Keyword search: every query word must start a word of the partner's text."""

import pyarrow as pa

from core.search.token_index import build_token_index

TEXTS = [
    "austin secure backup firewalls and veeam backup for law firms",
    "blue ridge it group: wi-fi, networking & voip",
    "-leading dash, then cloud backups",
    "",
]


def rows(query: str) -> list[int] | None:
    found = build_token_index(pa.array(TEXTS, type=pa.large_string())).match(query, size=len(TEXTS))
    return None if found is None else sorted(found.nonzero()[0].tolist())


def test_a_word_prefix_matches_and_repeated_words_count_once():
    assert rows("back") == [0, 2]
    assert rows("backup") == [0, 2]


def test_every_query_word_must_match():
    assert rows("backup law") == [0]
    assert rows("backup voip") == []


def test_punctuation_separates_words_on_both_sides():
    assert rows("Wi-Fi") == [1]
    assert rows("networking") == [1]


def test_middle_of_a_word_does_not_match():
    assert rows("ckup") == []


def test_a_query_without_words_filters_nothing():
    assert rows("  ,. ") is None


def test_building_in_chunks_gives_the_same_index():
    texts = pa.array(TEXTS * 7, type=pa.large_string())
    whole = build_token_index(texts)
    chunked = build_token_index(texts, chunk_rows=3)
    assert whole.vocabulary == chunked.vocabulary
    assert whole.starts.tolist() == chunked.starts.tolist()
    assert whole.rows.tolist() == chunked.rows.tolist()


def test_text_case_and_accents_do_not_matter():
    texts = pa.array(["CAFÉ Réseau Sécurité", "Plain ASCII Firewalls"], type=pa.large_string())
    index = build_token_index(texts)
    assert index.match("réseau", size=2).tolist() == [True, False]
    assert index.match("café", size=2).tolist() == [True, False]
    assert index.match("FIRE", size=2).tolist() == [False, True]


def test_accented_and_plain_chunks_give_the_same_index_as_one_build():
    texts = pa.array(["Zürich Backup", "zurich backup", None, "ÉCOLE wi-fi"] * 3)
    whole = build_token_index(texts)
    chunked = build_token_index(texts, chunk_rows=2)
    assert whole.vocabulary == chunked.vocabulary == sorted(whole.vocabulary)
    assert "zürich" in whole.vocabulary and "école" in whole.vocabulary
    assert whole.rows.tolist() == chunked.rows.tolist()


def test_a_slice_of_a_larger_array_is_indexed_on_its_own_rows():
    texts = pa.array(["alpha one", "beta two", "gamma three"], type=pa.large_string())
    index = build_token_index(texts.slice(1, 2))
    assert index.match("beta", size=2).tolist() == [True, False]
    assert index.match("alpha", size=2).tolist() == [False, False]
