"""Views of the agent desk: thin adapters over tickets.queries (reads) and services (writes)."""
