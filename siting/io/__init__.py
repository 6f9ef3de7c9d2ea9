"""File input and output: the only place that touches the disk."""
