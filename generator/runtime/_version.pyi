# For type checkers of the checkout only (never copied): generator/templates/package/
# _version.py.jinja renders it.
__title__: str
__version__: str
