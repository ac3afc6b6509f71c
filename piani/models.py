"""Plans, annual plans, budget and the accordo di programma (models come with their issue)."""
