"""The mock's own controls: the ``/_mock`` routes and middleware both apps mount; the inspector."""
