"""Hostile clients (issue 15): no request stalls the others, memory stays within the caps."""
