"""Presenting results: tables for the terminal, JSON for machines (charts come later)."""
