"""The app's only door to GIFQ: ``client`` talks HTTP; ``models`` and ``errors`` are its answers."""
