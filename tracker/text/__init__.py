"""Text: normalisation, the rules of each language, and topic matching."""
