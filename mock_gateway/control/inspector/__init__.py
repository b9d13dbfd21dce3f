"""The inspector: ``GET /_mock/``, a page of the journal with its images (CSS/JS in ``static/``)."""
