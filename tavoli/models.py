"""Tables, meetings, convocations, minutes and votes (models come with their issue)."""
