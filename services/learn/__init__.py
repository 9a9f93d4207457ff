"""Learn: whether outreach works, measured against held-out customers.

``attribution`` says which exposures re-engaged within the window, ``lift`` compares the
contacted with the held-out (Newcombe's interval, a bootstrap for revenue, won-back
revenue) and ``report`` breaks the figures down by rule, goal, owner or segment. Plain
arrays and DataFrames in, frozen dataclasses out: no database, no Qt.
"""
