"""State changes of plans, one module per part of the work; views call these functions."""
