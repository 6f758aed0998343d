"""What a customer asks of the team builder: the Find partners filters plus team size."""

from __future__ import annotations

from pydantic import Field, field_validator

from core.models import validate_area_keys
from core.search.query import SearchFilters, SearchQuery, validate_readably
from core.teams.cover import MAX_NEEDS

MAX_TEAM_SIZE = 5


class TeamQuery(SearchFilters):
    """What the customer needs, where, and how big a team may be."""

    needs: list[str]  # required here: a team covers needs
    max_size: int = Field(default=3, ge=1, le=MAX_TEAM_SIZE)
    alternatives: int = Field(default=5, ge=0, le=20)

    @field_validator("needs")
    @classmethod
    def _needs(cls, value: list[str]) -> list[str]:
        needs = validate_area_keys(value)
        if not needs:
            raise ValueError("choose at least one need")
        if len(needs) > MAX_NEEDS:
            raise ValueError(f"choose at most {MAX_NEEDS} needs")
        return needs

    def search_query(self) -> SearchQuery:
        """The Find partners query with the same filters (needs are matched here, not there)."""
        return SearchQuery.model_validate(
            self.model_dump(exclude={"max_size", "alternatives"}) | {"needs": []}
        )


def parse_team_query(fields: dict[str, object]) -> TeamQuery:
    """Validate raw fields into a TeamQuery; problems become one readable QueryError."""
    return validate_readably(TeamQuery, fields)
