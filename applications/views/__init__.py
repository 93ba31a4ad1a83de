"""Views of the applications app: `apply` for applicants, `review` for the program office."""
