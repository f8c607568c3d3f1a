"""Tests of the reference portal (the integrator side), over real loopback HTTP."""
