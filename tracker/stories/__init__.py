"""Stories: fingerprints, near-copies, features, story grouping and novelty."""
