"""Tools beside the warehouse, not its product: sample generator, benchmark, quality bar and publishing."""
