"""Regional statistics: rollups kept as learners act, rebuilt from raw records on demand."""
