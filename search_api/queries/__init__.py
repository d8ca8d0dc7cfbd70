"""Questions asked of the store and the index: search, trace, obligations, the assignment matrix, the graph."""
