"""What the commands do, stage by stage: run (pipeline and its solve strategy), reopen,
alternatives, compare, sweep, and the docs generator.
"""
