"""Third-sector organisations, adhesions and notices (models come with their issue)."""
