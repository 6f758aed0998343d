"""Read side: regional coverage, demand and vendor figures over the read index and the
database, aggregated in SQL or NumPy. Results out, nothing written but search demand."""
