"""The gateway layer: what Portkey itself does in front of the providers."""
