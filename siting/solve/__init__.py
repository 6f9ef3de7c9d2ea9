"""Solving a built model: HiGHS through PuLP, scaling, watching a solve, diagnosing an infeasible one."""
