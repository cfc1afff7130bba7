"""Published experiments, re-run by tradewar and set beside the published numbers."""
