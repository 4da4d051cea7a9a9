"""mediawatch_transcoder."""
