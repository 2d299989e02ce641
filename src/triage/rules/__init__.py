"""Rule data files (JSON) shipped with the package: urgency cues, text clean-up patterns."""
