"""Assets, checks, resources, schedules and sensors of the spec-audit code location."""
