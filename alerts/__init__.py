"""Alerts: message rendering, the outbox and delivery through apprise.

Imports `storage` and `config`, and of the tracker only its leaf modules `tracker.errors`
and `tracker.backoff`.
"""

from alerts.deliver import DeliveryReport, Dispatcher, send_test_message
from alerts.outbox import queue_alert, queue_message
from alerts.render import AlertPayload, TopicLine, render_html, render_markdown, render_title

__all__ = [
    "AlertPayload",
    "DeliveryReport",
    "Dispatcher",
    "TopicLine",
    "queue_alert",
    "queue_message",
    "render_html",
    "render_markdown",
    "render_title",
    "send_test_message",
]
