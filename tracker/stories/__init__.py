"""Stories: fingerprints, near-copies, features, stories and the events inside them."""
