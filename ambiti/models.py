"""Territory and governance: ambiti, comuni, parties, roles (models come with their issue)."""
