"""Human-readable output of results: terminal tables, report text, Word documents."""
