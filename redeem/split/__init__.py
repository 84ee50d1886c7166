"""Splitting a payout across brands: which amounts fit, and reading the amount typed."""
