"""Write side of the partner directory: profiles, certifications and their evidence,
public profiles, comparison and bulk partner records — every change through a unit of work."""
