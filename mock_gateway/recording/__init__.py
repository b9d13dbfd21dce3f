"""Record, replay and drift: cassettes (HAR), what a recording may keep (scrub), and the
normalisation two answers are compared under."""
