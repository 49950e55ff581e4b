"""Sources: fetching listings and pages politely, and reading the links a listing offers."""
