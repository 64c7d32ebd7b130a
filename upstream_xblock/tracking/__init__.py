"""Tracking layer: the registry of contributions, refreshes, scheduling and awards.

Knows records and when to check next; knows nothing of HTML, JS or the XBlock runtime.
"""
