"""Read side: the in-memory read index, search queries (URL, form, CLI), ranking,
explanations, relaxation hints and result export. Index and query in, dataclasses out."""
