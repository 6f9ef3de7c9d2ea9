"""Input side of the data flow: reading layer files and checking them against their schemas."""
