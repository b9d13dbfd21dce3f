"""The implementation of ``mock_gateway.strategies``; import from there."""
