"""Submissions from counties, carriers and departments: read, normalise, check, stage, load."""
