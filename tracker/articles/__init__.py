"""Articles: from a fetched page to its title, body, date, language and canonical URL."""
