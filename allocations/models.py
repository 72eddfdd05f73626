"""Models land with their own issue."""
