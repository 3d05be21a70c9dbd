"""Segments: live audiences from behaviour, properties, lists, e-mail status, other segments
and predictions (docs/segments.md)."""
