"""Helpers shared by the test layers (fake GIFQ process, parsed pages, processes)."""
