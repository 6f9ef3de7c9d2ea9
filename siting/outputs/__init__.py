"""Output side of the data flow: run folders, written atomically and read back."""
