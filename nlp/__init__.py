"""Vietnamese analysis of segments: assignments, agencies, citations, targets, time frames."""
