"""Issue 13's profile fields in the read index: filtering on them and reading them back.

Industries and languages are bit masks over core.partner_attributes' vocabularies (in file
order), delivery two bits (remote 1, on-site 2, both 3), accepting a bool per partner.
"""

from __future__ import annotations

import numpy as np

from core.partner_attributes import get_attributes
from core.search.index import ReadIndex
from core.search.index_loader import DELIVERY_BITS
from core.search.query import SearchFilters


def _bits(keys: list[str], known: dict[str, str]) -> np.uint64:
    order = list(known)
    mask = np.uint64(0)
    for key in keys:
        mask |= np.uint64(1) << np.uint64(order.index(key))
    return mask


DELIVERY_OF_BITS = {bits: key for key, bits in DELIVERY_BITS.items()}


def keys_of(mask: int, known: dict[str, str]) -> list[str]:
    return [key for bit, key in enumerate(known) if mask >> bit & 1]


def attribute_mask(index: ReadIndex, query: SearchFilters) -> np.ndarray | bool:
    """Issue 13's profile fields: every industry and language asked for, the delivery mode
    (a partner delivering both matches either), accepting new clients."""
    attributes = get_attributes()
    mask: np.ndarray | bool = True
    if query.industries:
        wanted = _bits(query.industries, attributes.industries)
        mask = mask & ((index.industries & wanted) == wanted)
    if query.languages:
        wanted = _bits(query.languages, attributes.languages)
        mask = mask & ((index.languages & wanted) == wanted)
    if query.delivery:
        bit = np.uint8(DELIVERY_BITS[query.delivery])
        mask = mask & ((index.delivery & bit) != 0)
    if query.accepting_only:
        mask = mask & index.accepting
    return mask
