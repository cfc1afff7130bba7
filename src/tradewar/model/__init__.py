"""Equilibrium engines and their solver."""
