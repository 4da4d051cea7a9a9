"""mediawatch_api."""
