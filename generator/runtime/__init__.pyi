# For type checkers of the checkout only (never copied): makes generator/runtime a package,
# so that `mypy generator/runtime` resolves its relative imports. A generated package's
# `__init__.py` is rendered from generator/templates/package/__init__.py.jinja.
