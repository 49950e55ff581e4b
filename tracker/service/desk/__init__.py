"""The desk: server-rendered pages on the operations endpoint (stories as they unfold, a
story's timeline, search, sources, the alert queue), for a screen left open in a newsroom.

Imported only when the endpoint is on, as tracker.service.ops is."""
