"""Fake providers: each answers its own native API, in-process."""
