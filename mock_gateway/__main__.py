"""``python -m mock_gateway``: the same as the ``mock-portkey`` command."""

from mock_gateway.cli import main

if __name__ == "__main__":
    main()
