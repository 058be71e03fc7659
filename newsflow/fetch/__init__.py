"""Fetch over HTTP, politely and safely; the only package in the core that opens sockets."""
