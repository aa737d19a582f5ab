# For type checkers of the checkout only (never copied): the package's models are generated.
