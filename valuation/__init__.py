"""Patent valuation: explained indicator score, income / market / cost values with a Monte Carlo range,
pledge-ratio advice, reports and batch revaluation.

Pure computation (``indicators``, ``methods``, ``montecarlo``, ``pledge_ratio``, ``batch``) takes plain
values and NumPy arrays; ``selectors`` reads the database into those values; ``services`` writes.
"""
