"""The wizard's pages, in the order of the help document."""
