"""Foundations every stage may use: errors, economics, parameter sets, the technology table,
the summary's fields, progress reporting.
"""
