"""Data access for one institution: the pool, the migrations, and one module
of parameterised SQL per aggregate."""
