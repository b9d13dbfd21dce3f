"""Provider adapters: client request -> upstream request, upstream answer -> client answer."""
