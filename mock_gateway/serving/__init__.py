"""Serving the app live: the uvicorn server in a thread (``server.py``), the guards on its
connections (``connections.py``), and heavy work kept off its event loop (``offload.py``)."""
