"""Helpers for Learnflow's own tests."""
from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Still argon2 (the stored hash says so, and the production hasher verifies it), at the lowest cost, so that
    tests creating a dozen people do not spend seconds hashing."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
