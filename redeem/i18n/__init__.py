"""Which language a page speaks, and how money, dates and numbers are written in it."""
