"""Builders of the embedded worlds (``tradewar world build ...`` dispatches here)."""
