"""The server-side flow record and where it is kept (memory or Redis)."""
