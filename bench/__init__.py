"""`make bench`: every figure measured beside a baseline from the same run."""
