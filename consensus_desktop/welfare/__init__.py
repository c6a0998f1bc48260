"""Social choice over the candidates: utilities, isoelastic welfare, trade-offs, Schulze, metrics.

Plain Python + numpy: no Qt, no model.
"""
